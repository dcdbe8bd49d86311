package associates

import (
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/users"
)

// Length bounds of names and contact details.
const (
	MaxNameLen     = 200
	MaxEmailLen    = 254
	MaxPhoneLen    = 32
	MaxEntityIDLen = 64
)

// OfficeState is open or closed.
type OfficeState string

// The office states.
const (
	OfficeOpen   OfficeState = "open"
	OfficeClosed OfficeState = "closed"
)

// Office is one node of a tenant's office tree (head office, regions,
// branches). ParentID is empty for a root.
type Office struct {
	ID        string      `json:"id"`
	TenantID  string      `json:"tenantId"`
	ParentID  string      `json:"parentId,omitempty"`
	Name      string      `json:"name"`
	State     OfficeState `json:"state"`
	Version   int64       `json:"version"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// State of an associate.
type State string

// The associate states. Deactivation is final in this package.
const (
	Active   State = "active"
	Inactive State = "inactive"
)

// Associate is a member of staff in the widest sense (seed 000): an
// employee, an agent, a partner, a funder. It belongs to an office, has a
// classification, may have a parent associate, and carries the values of its
// classification's data table in Data.
type Associate struct {
	ID               string `json:"id"`
	TenantID         string `json:"tenantId"`
	OfficeID         string `json:"officeId"`
	ClassificationID string `json:"classificationId"`
	ParentID         string `json:"parentId,omitempty"`
	Name             string `json:"name"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	// Agent tags the associate as an agent (seed 000's agent network).
	Agent     bool           `json:"agent"`
	State     State          `json:"state"`
	Data      map[string]any `json:"data"`
	Version   int64          `json:"version"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
	// User is the back-office user CreateAssociate invited with
	// NewAssociate.Access; it is set only in that answer (the associate
	// does not store it: a user names its associate, users.User.AssociateID).
	User *users.User `json:"user,omitempty"`
}

func (a Associate) clone() Associate {
	a.Data = maps.Clone(a.Data)
	if a.Data == nil {
		a.Data = map[string]any{}
	}
	return a
}

// EntityKind is the kind of entity an associate may be linked to.
type EntityKind string

// The entity kinds of seed 000. Clients are this library's; the others are
// opaque IDs from core banking.
const (
	EntityCenter  EntityKind = "center"
	EntityGroup   EntityKind = "group"
	EntityClient  EntityKind = "client"
	EntityLoan    EntityKind = "loan"
	EntitySavings EntityKind = "savings"
)

// ParseEntityKind accepts center, group, client, loan and savings.
func ParseEntityKind(s string) (EntityKind, error) {
	switch EntityKind(s) {
	case EntityCenter, EntityGroup, EntityClient, EntityLoan, EntitySavings:
		return EntityKind(s), nil
	}
	return "", fmt.Errorf("associates: entity kind %q: want center, group, client, loan or savings: %w", shown(s), clientele.ErrInvalid)
}

// Entity names one center, group, client, loan or savings account.
type Entity struct {
	Kind EntityKind `json:"kind"`
	ID   string     `json:"id"`
}

func (e Entity) check(v *clientele.ValidationError) {
	if _, err := ParseEntityKind(string(e.Kind)); err != nil {
		v.Add("entity.kind", "oneof", "must be center, group, client, loan or savings")
	}
	if e.ID == "" {
		v.Add("entity.id", "required", "is required")
	} else {
		textcheck.Line(v, "entity.id", e.ID, MaxEntityIDLen)
	}
}

// Link ties one associate to one entity. Many associates may be linked to one
// entity (a loan officer and a funding partner to one center).
type Link struct {
	// ID orders the links in lists (a UUIDv7).
	ID          string    `json:"id"`
	TenantID    string    `json:"tenantId"`
	AssociateID string    `json:"associateId"`
	Entity      Entity    `json:"entity"`
	CreatedAt   time.Time `json:"createdAt"`
}

// checkName requires a single line of at most MaxNameLen characters.
func checkName(v *clientele.ValidationError, field, s string) {
	if strings.TrimSpace(s) == "" {
		v.Add(field, "required", "is required")
		return
	}
	textcheck.Line(v, field, s, MaxNameLen)
}

func checkEmail(v *clientele.ValidationError, s string) {
	if s == "" {
		return
	}
	if textcheck.Line(v, "email", s, MaxEmailLen) {
		local, domain, ok := strings.Cut(s, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(s, " ") {
			v.Add("email", "email", "must be an email address")
		}
	}
}

func checkPhone(v *clientele.ValidationError, s string) {
	if s == "" {
		return
	}
	if textcheck.Line(v, "phone", s, MaxPhoneLen) {
		digits := strings.TrimPrefix(s, "+")
		if !strings.HasPrefix(s, "+") || len(digits) < 7 || len(digits) > 15 || strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
			v.Add("phone", "e164", "must be an E.164 number (+ and 7 to 15 digits)")
		}
	}
}

// validID reports whether id is a canonical UUID, the form of every ID this
// package makes. Anything else cannot name a stored row and is not looked up.
func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// shown keeps an input readable in an error message.
func shown(s string) string {
	if len(s) > 64 || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "(not shown)"
	}
	return s
}
