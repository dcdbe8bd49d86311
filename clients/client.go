package clients

import (
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/outbox"
)

// Type tells an individual client from a corporate one. It is
// adapters.ClientType, the one definition of the client type, which the
// adapters receive as it is; adapters.ParseClientType parses one.
type Type = adapters.ClientType

// Client types (adapters.Individual and adapters.Corporate).
const (
	Individual = adapters.Individual
	Corporate  = adapters.Corporate
)

// State is where a client is in its lifecycle:
//
//	pending → active ⇄ suspended
//	any of them → archiving → archived
//
// Archiving is the archive saga at work (Service.Archive, CL005); archived
// is terminal. Neither is reached by Transition, and a client in either
// cannot be updated or transitioned.
type State string

// Client states.
const (
	Pending   State = "pending"
	Active    State = "active"
	Suspended State = "suspended"
	Archiving State = "archiving"
	Archived  State = "archived"
)

// ParseState accepts the five state names.
func ParseState(s string) (State, error) {
	switch st := State(s); st {
	case Pending, Active, Suspended, Archiving, Archived:
		return st, nil
	}
	return "", clientele.NewValidationError("status", "oneof", fmt.Sprintf("must be pending, active, suspended, archiving or archived, not %q", s))
}

// transitions lists the moves Transition allows. Archiving is not a plain
// transition (it is the saga Service.Archive starts), so no move leads to
// Archiving or Archived, and none leaves them.
var transitions = map[State][]State{
	Pending:   {Active},
	Active:    {Suspended},
	Suspended: {Active},
}

// CanTransition reports whether a client may move from one state to another.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TransitionError is returned for a state change the lifecycle does not allow.
// It unwraps to clientele.ErrPrecondition.
type TransitionError struct {
	Reference string
	From, To  State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("client %s: cannot move from %s to %s", e.Reference, e.From, e.To)
}

// Unwrap makes errors.Is(err, clientele.ErrPrecondition) true.
func (e *TransitionError) Unwrap() error { return clientele.ErrPrecondition }

// KYCStatus is the state of the client's know-your-customer checks.
type KYCStatus string

// KYC states.
const (
	KYCPending  KYCStatus = "pending"
	KYCVerified KYCStatus = "verified"
	KYCRejected KYCStatus = "rejected"
)

// Client is an individual or corporate customer of a tenant.
type Client struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenantId"`
	Reference string    `json:"reference"`
	Type      Type      `json:"type"`
	State     State     `json:"status"`
	KYCStatus KYCStatus `json:"kycStatus"`
	Profile
	// DisplayName is derived: the full name of an individual, the legal name of a
	// corporate client.
	DisplayName string    `json:"displayName"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Version increases by one with every change; updates must name the version they
	// read (optimistic locking).
	Version int64 `json:"version"`
	// Sync says, per adapter (corebanking, identity, crm), whether the client's
	// latest state has reached it: pending, delivered, parked (with the last
	// error) or skipped (the adapter is not configured). Get fills it in; lists
	// leave it out.
	Sync map[outbox.Target]outbox.TargetState `json:"sync,omitempty"`
	// Archive is the progress of the archive saga (CL005): set when the client
	// is archiving or archived, nil before.
	Archive *ArchiveState `json:"archive,omitempty"`

	// Onboarding verification (issue 12).

	// Verification holds the results of the automated onboarding checks
	// (identity, KYC documents, compliance screening) run when the client was
	// created (and by Recheck). Get shows a check whose effect was parked as
	// an error.
	Verification Verification `json:"verification"`
}

// StaffOwned reports whether the client is an employee's own account.
func (c Client) StaffOwned() bool { return c.StaffAssociateID != "" }

// Profile is the part of a client that create and update set.
type Profile struct {
	OfficeID string `json:"officeId" validate:"required,max=64"`
	// StaffAssociateID marks the client as an employee's own account (seed 000):
	// changing it then also needs the employee-account permission.
	StaffAssociateID string `json:"staffAssociateId,omitempty" validate:"omitempty,max=64"`
	// AssignedAssociateIDs are the associates (relationship officers, partners)
	// responsible for the client.
	AssignedAssociateIDs []string    `json:"assignedAssociateIds,omitempty" validate:"max=20,dive,required,max=64"`
	Individual           *Person     `json:"individual,omitempty"`
	Corporate            *Company    `json:"corporate,omitempty"`
	Contact              ContactInfo `json:"contact"`
}

// ContactInfo is how the institution reaches the client.
type ContactInfo struct {
	Phone   string   `json:"phone,omitempty" validate:"omitempty,e164"`
	Email   string   `json:"email,omitempty" validate:"omitempty,email,max=254"`
	Address *Address `json:"address,omitempty"`
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1" validate:"required,max=200"`
	Line2      string `json:"line2,omitempty" validate:"max=200"`
	City       string `json:"city" validate:"required,max=100"`
	Region     string `json:"region,omitempty" validate:"max=100"`
	PostalCode string `json:"postalCode,omitempty" validate:"max=20"`
	Country    string `json:"country" validate:"required,iso3166_1_alpha2"`
}

// Person holds the fields of an individual client.
type Person struct {
	FirstName   string `json:"firstName" validate:"required,max=100"`
	MiddleName  string `json:"middleName,omitempty" validate:"max=100"`
	LastName    string `json:"lastName" validate:"required,max=100"`
	DateOfBirth string `json:"dateOfBirth" validate:"required,isodate,notfuture"`
	Gender      string `json:"gender,omitempty" validate:"omitempty,oneof=female male other unspecified"`
	NationalID  string `json:"nationalId" validate:"required,max=64"`
	Nationality string `json:"nationality,omitempty" validate:"omitempty,iso3166_1_alpha2"`
}

// Company holds the fields of a corporate client.
type Company struct {
	LegalName          string `json:"legalName" validate:"required,max=200"`
	RegistrationNumber string `json:"registrationNumber" validate:"required,max=64"`
	IncorporationDate  string `json:"incorporationDate" validate:"required,isodate,notfuture"`
	TaxID              string `json:"taxId,omitempty" validate:"max=64"`
	Country            string `json:"country" validate:"required,iso3166_1_alpha2"`
	// ExpectedMonthlyTurnover is declared at onboarding for KYC risk scoring.
	// It is a non-negative amount in an ISO 4217 currency.
	ExpectedMonthlyTurnover *adapters.Money `json:"expectedMonthlyTurnover,omitempty"`
	Contacts                []Contact       `json:"contacts,omitempty" validate:"max=10,dive"`
}

// Contact is a person to reach at a corporate client.
type Contact struct {
	Name  string `json:"name" validate:"required,max=200"`
	Role  string `json:"role,omitempty" validate:"max=100"`
	Phone string `json:"phone,omitempty" validate:"omitempty,e164"`
	Email string `json:"email,omitempty" validate:"omitempty,email,max=254"`
}

// displayName derives the name search runs on.
func (p Profile) displayName() string {
	switch {
	case p.Individual != nil:
		n := p.Individual.FirstName
		if p.Individual.MiddleName != "" {
			n += " " + p.Individual.MiddleName
		}
		return n + " " + p.Individual.LastName
	case p.Corporate != nil:
		return p.Corporate.LegalName
	}
	return ""
}
