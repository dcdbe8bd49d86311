package audit

import (
	"encoding/json"
	"time"
)

// Entry records one mutation: who did what to which entity, and which fields changed.
type Entry struct {
	ID         string   `json:"id"`
	TenantID   string   `json:"tenantId"`
	Actor      string   `json:"actor"`      // user ID of the principal
	Operation  string   `json:"operation"`  // operation code, e.g. "CL003"
	EntityType string   `json:"entityType"` // e.g. "client"
	EntityID   string   `json:"entityId"`
	Changed    []string `json:"changed"` // JSON paths of the fields the change touched
	// Before and After, when set, are JSON objects holding the values of the
	// changed entity before and after the change, where its package records
	// them (a role change records the role's name and permission set). Most
	// entries leave them empty.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	At     time.Time       `json:"at"`
}
