package audit

import "time"

// Entry records one mutation: who did what to which entity, and which fields changed.
type Entry struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenantId"`
	Actor      string    `json:"actor"`      // user ID of the principal
	Operation  string    `json:"operation"`  // operation code, e.g. "CL003"
	EntityType string    `json:"entityType"` // e.g. "client"
	EntityID   string    `json:"entityId"`
	Changed    []string  `json:"changed"` // JSON paths of the fields the change touched
	At         time.Time `json:"at"`
}
