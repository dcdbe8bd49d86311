package adapters

import (
	"context"
	"time"
)

// Identity is the identity provider holding the user profiles of clients (seed 002,
// IU001–IU003) and the decentralised identifiers (DIDs) created for borrowers when
// they register.
type Identity interface {
	// CreateUser creates the identity profile of a subject (IU001).
	CreateUser(ctx context.Context, req CreateUserRequest) (IdentityUser, error)
	// UpdateUser replaces the profile (IU002).
	UpdateUser(ctx context.Context, req UpdateUserRequest) (IdentityUser, error)
	// DeactivateUser deactivates the profile (IU003).
	DeactivateUser(ctx context.Context, req DeactivateUserRequest) (IdentityUser, error)
	// GetUser reads the profile.
	GetUser(ctx context.Context, tenantID, subjectID string) (IdentityUser, error)
	// CreateDID creates the subject's decentralised identifier. A subject has one
	// DID: a second creation under another key fails with clientele.ErrConflict.
	CreateDID(ctx context.Context, req CreateDIDRequest) (DID, error)
}

// IdentityUser is a subject's profile at the identity provider.
type IdentityUser struct {
	TenantID string `json:"tenantId"`
	// SubjectID is clientele's ID of the subject: the client ID for clients, the
	// user ID for a user without a client.
	SubjectID  string    `json:"subjectId"`
	ExternalID string    `json:"externalId"`
	Profile    Profile   `json:"profile"`
	Status     Status    `json:"status"`
	DID        string    `json:"did,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// DID is a decentralised identifier created for a subject.
type DID struct {
	TenantID  string    `json:"tenantId"`
	SubjectID string    `json:"subjectId"`
	DID       string    `json:"did"` // e.g. "did:key:z6Mk…"
	CreatedAt time.Time `json:"createdAt"`
}

// CreateUserRequest creates an identity profile (IU001).
type CreateUserRequest struct {
	TenantID       string  `json:"tenantId"`
	SubjectID      string  `json:"subjectId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r CreateUserRequest) Validate() error {
	return validateProfileChange(r.TenantID, "subjectId", r.SubjectID, &r.Profile, r.IdempotencyKey)
}

// UpdateUserRequest replaces an identity profile (IU002).
type UpdateUserRequest struct {
	TenantID       string  `json:"tenantId"`
	SubjectID      string  `json:"subjectId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r UpdateUserRequest) Validate() error {
	return validateProfileChange(r.TenantID, "subjectId", r.SubjectID, &r.Profile, r.IdempotencyKey)
}

// DeactivateUserRequest deactivates an identity profile (IU003).
type DeactivateUserRequest struct {
	TenantID       string `json:"tenantId"`
	SubjectID      string `json:"subjectId"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r DeactivateUserRequest) Validate() error {
	return validateProfileChange(r.TenantID, "subjectId", r.SubjectID, nil, r.IdempotencyKey)
}

// CreateDIDRequest creates a subject's DID (borrower registration).
type CreateDIDRequest struct {
	TenantID  string `json:"tenantId"`
	SubjectID string `json:"subjectId"`
	// Phone (E.164) the borrower registered with, when the method binds to it.
	Phone          string `json:"phone,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r CreateDIDRequest) Validate() error {
	var v validation
	v.required("tenantId", r.TenantID)
	v.required("subjectId", r.SubjectID)
	v.key(r.IdempotencyKey)
	return v.err()
}
