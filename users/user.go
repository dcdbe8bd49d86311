package users

import (
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// Type is one of the five user types of seed 003.
type Type string

// The user types.
const (
	// NodeOperator is the super-admin of a tenant, created at tenant setup.
	NodeOperator Type = "node_operator"
	// OriginatorAdmin manages projects, lending and funding parameters.
	OriginatorAdmin Type = "originator_admin"
	// OriginatorAgent manages operations with borrowers (USSD).
	OriginatorAgent Type = "originator_agent"
	// Investor discovers and invests in projects (customer).
	Investor Type = "investor"
	// Borrower onboards and subscribes to lending services (customer, USSD).
	Borrower Type = "borrower"
)

// Types returns the five types, highest rank first.
func Types() []Type {
	return []Type{NodeOperator, OriginatorAdmin, OriginatorAgent, Investor, Borrower}
}

// ParseType accepts the five type names.
func ParseType(s string) (Type, error) {
	for _, t := range Types() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", clientele.NewValidationError("type", "oneof",
		fmt.Sprintf("must be node_operator, originator_admin, originator_agent, investor or borrower, not %q", s))
}

// Kind is Backoffice for the node operator and the originators, Customer for
// investors and borrowers. A principal's Kind comes from its user's type.
func (t Type) Kind() authz.PermissionType {
	switch t {
	case NodeOperator, OriginatorAdmin, OriginatorAgent:
		return authz.Backoffice
	case Investor, Borrower:
		return authz.Customer
	}
	return 0
}

// Rank orders the types for invitation and blocking: nobody invites or blocks a
// user of a higher rank. Node operator 3, originator admin 2, the others 1.
func (t Type) Rank() int {
	switch t {
	case NodeOperator:
		return 3
	case OriginatorAdmin:
		return 2
	case OriginatorAgent, Investor, Borrower:
		return 1
	}
	return 0
}

// Administers reports whether users of type t may invite, block and unblock other
// users (seed 003: the node operator and originator admins).
func (t Type) Administers() bool { return t == NodeOperator || t == OriginatorAdmin }

// Channel is a registration (and login) channel of seed 003.
type Channel string

// The registration channels.
const (
	// ChannelEmail: email, the emailed code and a new password; then password login.
	ChannelEmail Channel = "email"
	// ChannelSocial: an OAuth/OIDC account (Google, Facebook, …) verified by the
	// embedding application.
	ChannelSocial Channel = "social"
	// ChannelPhone: phone (USSD), the texted code, then a PIN; then PIN login.
	ChannelPhone Channel = "phone"
)

// ParseChannel accepts "email", "social" and "phone".
func ParseChannel(s string) (Channel, error) {
	switch c := Channel(s); c {
	case ChannelEmail, ChannelSocial, ChannelPhone:
		return c, nil
	}
	return "", clientele.NewValidationError("channel", "oneof", fmt.Sprintf("must be email, social or phone, not %q", s))
}

// Channels returns the registration channels seed 003 allows for t: email and
// social for originator admins and investors (and the node operator), phone for
// originator agents and borrowers.
func (t Type) Channels() []Channel {
	switch t {
	case NodeOperator, OriginatorAdmin, Investor:
		return []Channel{ChannelEmail, ChannelSocial}
	case OriginatorAgent, Borrower:
		return []Channel{ChannelPhone}
	}
	return nil
}

// Allows reports whether t may register and log in through c.
func (t Type) Allows(c Channel) bool {
	for _, x := range t.Channels() {
		if x == c {
			return true
		}
	}
	return false
}

// usesPhone reports whether invitations to t go by SMS (else by email).
func (t Type) usesPhone() bool { return t.Allows(ChannelPhone) }

// State is where a user is in its lifecycle: invited → active ⇄ blocked.
type State string

// The user states.
const (
	Invited State = "invited"
	Active  State = "active"
	Blocked State = "blocked"
)

// ParseState accepts the three state names.
func ParseState(s string) (State, error) {
	switch st := State(s); st {
	case Invited, Active, Blocked:
		return st, nil
	}
	return "", clientele.NewValidationError("state", "oneof", fmt.Sprintf("must be invited, active or blocked, not %q", s))
}

// User is a user account. It carries no secret: hashes stay in the store.
type User struct {
	ID       string `json:"id"`
	TenantID string `json:"tenantId"`
	Type     Type   `json:"type"`
	State    State  `json:"state"`
	Name     string `json:"name,omitempty"`
	// Email is stored lower case; Phone is E.164. Each is unique in the tenant
	// where set.
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// AssociateID links a back-office user to its associate; ClientID links a
	// customer user to its client.
	AssociateID string   `json:"associateId,omitempty"`
	ClientID    string   `json:"clientId,omitempty"`
	Roles       []string `json:"roles"`
	// DID is the borrower's decentralised identifier, created after its
	// registration commits ("" until the dispatcher has delivered it).
	DID string `json:"did,omitempty"`
	// SocialProvider is the provider of the linked social account, if any.
	SocialProvider string `json:"socialProvider,omitempty"`
	// InvitedBy is the user ID of the inviter ("" for the bootstrapped operator).
	InvitedBy   string    `json:"invitedBy,omitempty"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	ActivatedAt time.Time `json:"activatedAt,omitzero"`
}

// Kind is the kind of the user's type.
func (u User) Kind() authz.PermissionType { return u.Type.Kind() }

// Principal is the principal acting as u.
func (u User) Principal() authz.Principal {
	return authz.Principal{
		TenantID: u.TenantID, UserID: u.ID, Kind: u.Type.Kind(),
		Roles: append([]string(nil), u.Roles...), AssociateID: u.AssociateID, ClientID: u.ClientID,
	}
}

// Clone returns a copy of u sharing no memory with it.
func (u User) Clone() User {
	u.Roles = append([]string(nil), u.Roles...)
	return u
}
