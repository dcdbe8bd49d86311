package authz

import (
	"fmt"

	"github.com/clientele-go/clientele"
)

// PermissionType separates back-office permissions and roles from customer
// (client portal) ones. The two never mix: a role holds permissions of its own
// type only, and a user holds roles of its own kind only.
type PermissionType uint8

const (
	// Backoffice permissions are for staff (associates) acting in the back office.
	// The seeds also call this type "employee".
	Backoffice PermissionType = iota + 1
	// Customer permissions are for clients acting through the self-service portal.
	Customer
)

// ParsePermissionType accepts "backoffice" (or its alias "employee") and "customer".
func ParsePermissionType(s string) (PermissionType, error) {
	switch s {
	case "backoffice", "employee":
		return Backoffice, nil
	case "customer":
		return Customer, nil
	}
	return 0, fmt.Errorf("authz: permission type %q: want backoffice or customer: %w", s, clientele.ErrInvalid)
}

func (t PermissionType) String() string {
	switch t {
	case Backoffice:
		return "backoffice"
	case Customer:
		return "customer"
	}
	return fmt.Sprintf("PermissionType(%d)", uint8(t))
}

// Principal is the authenticated actor of a call. Every service method takes one
// explicitly and authorizes it before it does anything.
type Principal struct {
	TenantID string
	UserID   string
	// Kind is Backoffice for staff users and Customer for client users.
	Kind PermissionType
	// Roles are role codes in the tenant's catalogue (e.g. "RP002").
	Roles []string
	// AssociateID links a back-office user to its associate (staff) record.
	AssociateID string
	// ClientID links a customer user to its client record.
	ClientID string
	// OfficeID is the office of a back-office user's associate (policy attribute
	// member.office).
	OfficeID string
	// ScopeMode is the data scope mode of the associate's classification
	// (ScopeModeBranch or ScopeModeRestricted), read with OfficeID. A
	// principal without it has its associate's scope looked up when a call
	// needs it (clients.ScopeResolver); one with it is scoped by it at once.
	ScopeMode string
	// PortalAccess reports that a customer's client portal access is enabled
	// for this user, read with the session (users.Service.Authenticate). A
	// principal without it has its access looked up on every portal call;
	// one with it is let through that check at once (the tenant's portal
	// switch and the principal's roles are still checked).
	PortalAccess bool
}

// The data scope modes of an associate's classification (seed 000), as
// Principal.ScopeMode carries them; associates.ScopeMode names the same.
const (
	// ScopeModeBranch: the associate's office and every office below it.
	ScopeModeBranch = "branch"
	// ScopeModeRestricted: the entities linked to the associate or to an
	// associate below it.
	ScopeModeRestricted = "restricted"
)
