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
	// AssignedAssociates are the associates assigned to the resource
	// (relationship officer, partner, …): the policy attribute client.assigned.
	AssignedAssociates []string
	// InMemberScope says whether the client (ClientID) is among member.clients:
	// the clients in the data scope of the principal's associate (its office
	// subtree for a branch-scoped classification, the clients linked to it or
	// to an associate below it for a restricted one). The caller that read
	// the client within that scope knows it (package clients does); the zero
	// value, ScopeUnknown, makes "member.clients contain {client}" unknown,
	// which denies.
	InMemberScope ScopeMembership
	// OfficeID is the office the resource belongs to.
	OfficeID string
	// StaffAssociateID is the associate whose own account the client is, when
	// StaffOwned (policy attribute client.staffAssociate).
	StaffAssociateID string
	// Amount is the amount a call moves, in minor units (policy attribute
	// request.amount), for example a portal account transfer.
	Amount int64
}

// ScopeMembership is whether a resource's client is in the data scope of the
// principal's associate (Resource.InMemberScope).
type ScopeMembership uint8

// The values of ScopeMembership.
const (
	// ScopeUnknown: nobody said; member.clients conditions are unknown.
	ScopeUnknown ScopeMembership = iota
	// InScope: the client is in the associate's data scope.
	InScope
	// OutOfScope: it is not.
	OutOfScope
)
