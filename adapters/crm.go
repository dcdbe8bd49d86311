package adapters

import (
	"context"
	"time"
)

// CRM is the CRM / helpdesk system holding each client as a partner (seed 002,
// HP001–HP003).
type CRM interface {
	// CreatePartner creates the client's partner profile (HP001).
	CreatePartner(ctx context.Context, req CreatePartnerRequest) (Partner, error)
	// UpdatePartner replaces the partner profile (HP002).
	UpdatePartner(ctx context.Context, req UpdatePartnerRequest) (Partner, error)
	// DeactivatePartner deactivates the partner profile (HP003).
	DeactivatePartner(ctx context.Context, req DeactivatePartnerRequest) (Partner, error)
	// GetPartner reads the partner profile.
	GetPartner(ctx context.Context, tenantID, clientID string) (Partner, error)
}

// Partner is a client as the CRM holds it.
type Partner struct {
	TenantID   string    `json:"tenantId"`
	ClientID   string    `json:"clientId"`
	ExternalID string    `json:"externalId"`
	Profile    Profile   `json:"profile"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// CreatePartnerRequest creates a partner profile (HP001).
type CreatePartnerRequest struct {
	TenantID       string  `json:"tenantId"`
	ClientID       string  `json:"clientId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r CreatePartnerRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, &r.Profile, r.IdempotencyKey)
}

// UpdatePartnerRequest replaces a partner profile (HP002).
type UpdatePartnerRequest struct {
	TenantID       string  `json:"tenantId"`
	ClientID       string  `json:"clientId"`
	Profile        Profile `json:"profile"`
	IdempotencyKey string  `json:"idempotencyKey"`
}

// Validate reports missing or malformed fields.
func (r UpdatePartnerRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, &r.Profile, r.IdempotencyKey)
}

// DeactivatePartnerRequest deactivates a partner profile (HP003).
type DeactivatePartnerRequest struct {
	TenantID       string `json:"tenantId"`
	ClientID       string `json:"clientId"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// Validate reports missing fields.
func (r DeactivatePartnerRequest) Validate() error {
	return validateProfileChange(r.TenantID, "clientId", r.ClientID, nil, r.IdempotencyKey)
}
