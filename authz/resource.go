package authz

// Resource describes what an operation acts on, as far as policies need to know.
// A zero Resource is a collection-level call (list, search, create).
type Resource struct {
	// TenantID is the tenant the resource belongs to. When set, it must equal the
	// principal's tenant or the call is forbidden.
	TenantID string
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
	// StaffAssociateID is the associate whose own account the client is, when
	// StaffOwned (policy attribute client.staffAssociate).
	StaffAssociateID string
	// Amount is the amount a call moves, in minor units (policy attribute
	// request.amount), for example a portal account transfer.
	Amount int64
}
