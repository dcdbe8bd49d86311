package clients

import "github.com/clientele-go/clientele/adapters"

// Adapters are the systems beyond the store that client operations reach: the
// outbox handlers push to them (SyncHandlers) and the Service reads from them
// (WithAdapters). A nil one is not configured: its effects are marked skipped,
// and an operation that needs it fails with clientele.ErrUnavailable.
type Adapters struct {
	CoreBanking adapters.CoreBanking
	Identity    adapters.Identity
	CRM         adapters.CRM
	Documents   adapters.Documents
	Messaging   adapters.Messaging
	Persistence adapters.Persistence
}

// WithAdapters gives the Service the adapters its reads and orchestrations call.
func WithAdapters(a Adapters) Option {
	return func(s *Service) { s.adapters = a }
}
