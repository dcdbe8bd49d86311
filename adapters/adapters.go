package adapters

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/secret"
)

// Money is an amount in the minor units of an ISO-4217 currency (cents for USD,
// whole units for UGX). It is never a float. It is the library's one Money:
// clients uses it too (a corporate client's expected turnover).
type Money struct {
	// Amount in minor units. Negative only where a field says so.
	Amount int64 `json:"amount"`
	// Currency is the ISO-4217 alphabetic code, upper case ("KES", "USD").
	Currency string `json:"currency"`
}

// String formats m as "12345 KES" (minor units).
func (m Money) String() string { return fmt.Sprintf("%d %s", m.Amount, m.Currency) }

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// ValidCurrency reports whether code has the form of an ISO-4217 alphabetic code.
func ValidCurrency(code string) bool { return currencyRE.MatchString(code) }

// ClientType separates individual (retail) clients from corporate ones (SME and
// enterprise). It is the library's one client type: clients.Type is this type.
type ClientType string

// The client types.
const (
	Individual ClientType = "individual"
	Corporate  ClientType = "corporate"
)

// ParseClientType accepts "individual" and "corporate".
func ParseClientType(s string) (ClientType, error) {
	switch ClientType(s) {
	case Individual, Corporate:
		return ClientType(s), nil
	}
	return "", fmt.Errorf("adapters: client type %q: want individual or corporate: %w", s, clientele.ErrInvalid)
}

// Status is the lifecycle state of a profile held by an external system (a core
// banking client, an identity user, a CRM partner).
type Status string

// The profile states.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
)

// ParseStatus accepts "active" and "inactive".
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusActive, StatusInactive:
		return Status(s), nil
	}
	return "", fmt.Errorf("adapters: status %q: want active or inactive: %w", s, clientele.ErrInvalid)
}

// Profile is the client data clientele hands to the external systems on create and
// update (CC001/CC002, IU001/IU002, HP001/HP002). Individual clients fill the
// personal fields, corporate clients the company fields.
type Profile struct {
	Type ClientType `json:"type"`
	// Reference is the client's tenant-unique clientele reference.
	Reference string `json:"reference,omitempty"`
	// Individual.
	FirstName   string `json:"firstName,omitempty"`
	MiddleName  string `json:"middleName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	DateOfBirth string `json:"dateOfBirth,omitempty"` // YYYY-MM-DD
	Gender      string `json:"gender,omitempty"`
	NationalID  string `json:"nationalId,omitempty"`
	// Corporate.
	LegalName          string `json:"legalName,omitempty"`
	RegistrationNumber string `json:"registrationNumber,omitempty"`
	TaxID              string `json:"taxId,omitempty"`
	// Contact.
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"` // E.164
	Address  string `json:"address,omitempty"`
	OfficeID string `json:"officeId,omitempty"`
	// Attributes carries fields this contract does not name.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// DisplayName is the legal name of a corporate client and "First Last" otherwise.
func (p Profile) DisplayName() string {
	if p.Type == Corporate {
		return p.LegalName
	}
	return strings.TrimSpace(strings.Join(strings.Fields(p.FirstName+" "+p.MiddleName+" "+p.LastName), " "))
}

// Clone returns a deep copy of p.
func (p Profile) Clone() Profile {
	p.Attributes = cloneMap(p.Attributes)
	return p
}

func (p Profile) validate(v *clientele.ValidationError, prefix string) {
	switch p.Type {
	case Individual:
		if p.FirstName == "" && p.LastName == "" {
			v.Add(prefix+"lastName", "required", "an individual needs a first or last name")
		}
	case Corporate:
		if p.LegalName == "" {
			v.Add(prefix+"legalName", "required", "a corporate client needs a legal name")
		}
	default:
		v.Add(prefix+"type", "oneof", "must be individual or corporate")
	}
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, val := range m {
		out[k] = val
	}
	return out
}

// validation collects field problems for a request.
type validation struct{ clientele.ValidationError }

func (v *validation) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "required", "is required")
	}
}

func (v *validation) key(value string) {
	switch {
	case strings.TrimSpace(value) == "":
		v.Add("idempotencyKey", "required", "every change needs an idempotency key")
	case len(value) > 255:
		v.Add("idempotencyKey", "max", "at most 255 characters")
	}
}

func (v *validation) err() error { return v.OrNil() }

// validateProfileChange checks the requests that create, update (profile set) or
// deactivate (profile nil) the profile of one subject in a backing system: the
// tenant, the subject under its JSON name idField, the profile, the idempotency key.
func validateProfileChange(tenantID, idField, id string, profile *Profile, key string) error {
	var v validation
	v.required("tenantId", tenantID)
	v.required(idField, id)
	if profile != nil {
		profile.validate(&v.ValidationError, "profile.")
	}
	v.key(key)
	return v.err()
}

// ValidateTenant returns a *clientele.ValidationError when tenantID is empty, for
// read calls whose parameters are not a request struct.
func ValidateTenant(tenantID string, ids ...NamedID) error {
	var v validation
	v.required("tenantId", tenantID)
	for _, id := range ids {
		v.required(id.Field, id.Value)
	}
	return v.err()
}

// NamedID is a required identifier and the JSON name it is reported under.
type NamedID struct{ Field, Value string }

// HashToken returns the hex SHA-256 digest of a one-time token, the library's one
// token digest (the same users stores for session tokens). Callers store and
// pass the digest (InitiateDeviceTransferRequest.TokenHash); the holder of the
// token proves it by sending the token itself.
func HashToken(token string) string { return secret.Digest(token) }

// TokenMatches reports in constant time whether token hashes to hash.
func TokenMatches(hash, token string) bool { return secret.Equal(hash, secret.Digest(token)) }

// ErrNotSupported is wrapped by the error of an optional method (AccountOpener,
// ClientLister, DocumentStore) an implementation offers in form only, such as an HTTP
// client whose server lacks the ability. It is a clientele.ErrPrecondition.
var ErrNotSupported = fmt.Errorf("operation not supported by this adapter: %w", clientele.ErrPrecondition)
