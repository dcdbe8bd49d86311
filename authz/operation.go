package authz

// Operation is an action the library authorizes. The client operations carry the
// seeds' codes (CL001–CL013) so catalogues can name them as the seeds do.
type Operation string

// Client operations of seeds 001 and 002.
const (
	OpListClients        Operation = "CL001"
	OpViewClient         Operation = "CL002"
	OpCreateClient       Operation = "CL003"
	OpUpdateClient       Operation = "CL004"
	OpArchiveClient      Operation = "CL005"
	OpListClientAccounts Operation = "CL006"
	OpListDevices        Operation = "CL007"
	OpToggleFavourite    Operation = "CL008"
	OpSearchClients      Operation = "CL009"
	OpLockDevice         Operation = "CL010"
	OpTransferDevice     Operation = "CL011"
	OpActivateDevice     Operation = "CL012"
	OpResetDevicePIN     Operation = "CL013"
)
