package authz

// Resource describes what an operation acts on, as far as policies need to know.
// A zero Resource is a collection-level call (list, search, create).
type Resource struct {
	// ClientID is the client the call acts on; it binds the {client} placeholder.
	ClientID string
	// StaffOwned is true when the client is an employee's own account (seed 000);
	// changing it then also needs the employee-account permission.
	StaffOwned bool
	// AssignedAssociates are the associates linked to the resource (relationship
	// officer, partner, …). "member.clients contain {client}" holds when the
	// principal's associate is among them.
	AssignedAssociates []string
	// OfficeID is the office the resource belongs to.
	OfficeID string
}
