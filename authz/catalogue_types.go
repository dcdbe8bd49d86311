package authz

import (
	"errors"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/textcheck"
)

// Permission is a named set of operations. Its type says who may hold it: a
// Backoffice permission only back-office roles, a Customer permission only
// customer (portal) roles.
type Permission struct {
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Type       PermissionType `json:"type"`
	Operations []Operation    `json:"operations"`
}

// Role groups permissions of one type. A user holds roles of its own kind only.
type Role struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Type        PermissionType `json:"type"`
	Permissions []string       `json:"permissions"` // permission codes
}

// Policy is a condition in the policy language (see the package documentation).
//
// A policy whose condition is a conjunction with a "role eq CODE" (or
// "role in (…)") term is role-bound: it qualifies what that role grants for the
// operations it covers, and leaves other roles alone. Any other policy is
// tenant-wide: it must hold for every operation it covers, whichever role grants it.
type Policy struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Condition string `json:"condition"`
	// Operations are the operations the policy covers; empty means all.
	Operations []Operation `json:"operations,omitempty"`
}

// Spec is a catalogue as data: the permissions, roles and policies of one
// tenant. Compile turns it into a *Catalogue that decides quickly.
type Spec struct {
	// Name names the preset the catalogue comes from ("backoffice-platform").
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions"`
	Roles       []Role       `json:"roles"`
	Policies    []Policy     `json:"policies"`
	// StaffPermission is the code of the employee-account permission (seed 000):
	// an operation that changes a staff-owned client needs it in addition to a
	// permission granting the operation. Empty: no such rule (changes to
	// staff-owned clients are then denied to everyone).
	StaffPermission string `json:"staffPermission,omitempty"`
	// TenantWidePermissions are the codes of the permissions whose holders
	// see every client of the tenant (Catalogue.TenantWide). Every other
	// back-office principal sees only the clients in its associate's data
	// scope (package clients). Each must be a back-office permission of the
	// catalogue.
	TenantWidePermissions []string `json:"tenantWidePermissions,omitempty"`
}

// PermissionMap indexes the spec's permissions by code.
func (s Spec) PermissionMap() map[string]Permission {
	m := make(map[string]Permission, len(s.Permissions))
	for _, p := range s.Permissions {
		m[p.Code] = p
	}
	return m
}

// Clone returns a deep copy of s.
func (s Spec) Clone() Spec {
	c := Spec{Name: s.Name, StaffPermission: s.StaffPermission,
		TenantWidePermissions: append([]string(nil), s.TenantWidePermissions...)}
	c.Permissions = make([]Permission, len(s.Permissions))
	for i, p := range s.Permissions {
		p.Operations = append([]Operation(nil), p.Operations...)
		c.Permissions[i] = p
	}
	c.Roles = make([]Role, len(s.Roles))
	for i, r := range s.Roles {
		c.Roles[i] = r.clone()
	}
	c.Policies = make([]Policy, len(s.Policies))
	for i, p := range s.Policies {
		p.Operations = append([]Operation(nil), p.Operations...)
		c.Policies[i] = p
	}
	return c
}

func (r Role) clone() Role {
	r.Permissions = append([]string(nil), r.Permissions...)
	return r
}

// ListType filters listings of permissions and roles (seed 000: the "type" query
// parameter of the permissions and roles APIs).
type ListType uint8

const (
	// ListEmployee lists back-office permissions or roles; it is the default.
	ListEmployee ListType = iota
	// ListCustomer lists customer (portal) permissions or roles.
	ListCustomer
	// ListAll lists both.
	ListAll
)

// ParseListType accepts "all", "employee" (alias "backoffice"), "customer" and
// "" (the default, employee). Anything else wraps clientele.ErrInvalid.
func ParseListType(s string) (ListType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "employee", "backoffice":
		return ListEmployee, nil
	case "customer":
		return ListCustomer, nil
	case "all":
		return ListAll, nil
	}
	return 0, clientele.NewValidationError("type", "oneof", fmt.Sprintf("%q: want all, employee or customer", s))
}

func (l ListType) String() string {
	switch l {
	case ListEmployee:
		return "employee"
	case ListCustomer:
		return "customer"
	case ListAll:
		return "all"
	}
	return fmt.Sprintf("ListType(%d)", uint8(l))
}

// Includes reports whether a permission or role of type t belongs in the listing.
func (l ListType) Includes(t PermissionType) bool {
	switch l {
	case ListAll:
		return t == Backoffice || t == Customer
	case ListCustomer:
		return t == Customer
	case ListEmployee:
		return t == Backoffice
	}
	return false
}

func validType(t PermissionType) bool { return t == Backoffice || t == Customer }

// Limits of the strings of a catalogue, in characters.
const (
	// MaxCodeLength bounds permission, role and policy codes.
	MaxCodeLength = 64
	// MaxNameLength bounds permission, role and policy names.
	MaxNameLength = 200
	// MaxConditionLength bounds a policy's condition.
	MaxConditionLength = 4096
)

// codeForbidden are the characters a code may not hold besides control
// characters: the policy language's separators.
const codeForbidden = " \"(),{}"

// CheckCode adds a problem to v naming field when code is not a permission,
// role or policy code: one non-blank line of valid UTF-8 of at most
// MaxCodeLength characters, without spaces, quotes, parentheses, commas or
// braces (which would break the policy language). It reports whether code
// passed. Call it on a code that comes from input before anything looks the
// code up.
func CheckCode(v *clientele.ValidationError, field, code string) bool {
	switch {
	case strings.TrimSpace(code) == "":
		v.Add(field, "required", "code is required")
		return false
	case !textcheck.Line(v, field, code, MaxCodeLength):
		return false
	case strings.ContainsAny(code, codeForbidden):
		v.Add(field, "code", "no spaces, quotes, parentheses, commas or braces")
		return false
	}
	return true
}

// checkName adds a problem when name is blank or not one line of valid UTF-8
// of at most MaxNameLength characters; what names the owner in the message.
func checkName(v *clientele.ValidationError, what, name string) {
	if strings.TrimSpace(name) == "" {
		v.Add("name", "required", what+": name is required")
		return
	}
	textcheck.Line(v, "name", name, MaxNameLength)
}

// ValidatePermission checks one permission: code, name, a valid type, and
// operations that are known and of the permission's own type (a customer
// permission can never grant a back-office operation).
func ValidatePermission(p Permission) error {
	v := &clientele.ValidationError{}
	if !CheckCode(v, "code", p.Code) {
		p.Code = "(invalid code)" // keep the messages below short and printable
	}
	checkName(v, "permission "+p.Code, p.Name)
	if !validType(p.Type) {
		v.Add("type", "oneof", "permission "+p.Code+": type must be backoffice or customer")
	}
	for i, op := range p.Operations {
		f := fmt.Sprintf("operations[%d]", i)
		switch {
		case !op.Known():
			v.Add(f, "operation", fmt.Sprintf("permission %s: unknown operation %q", p.Code, op))
		case validType(p.Type) && op.Type() != p.Type:
			v.Add(f, "type", fmt.Sprintf("permission %s is %s but operation %s is %s", p.Code, p.Type, op, op.Type()))
		}
	}
	return v.OrNil()
}

// ValidateRole checks a role against the permissions it may hold: code, name, a
// valid type, and only existing permissions of the role's own type, each once.
// The *clientele.ValidationError it returns (wrapping clientele.ErrInvalid) names
// every offending permission. Storage calls it again before it persists a role.
func ValidateRole(r Role, perms map[string]Permission) error {
	v := &clientele.ValidationError{}
	if !CheckCode(v, "code", r.Code) {
		r.Code = "(invalid code)" // keep the messages below short and printable
	}
	checkName(v, "role "+r.Code, r.Name)
	if !validType(r.Type) {
		v.Add("type", "oneof", "role "+r.Code+": type must be backoffice or customer")
	}
	seen := make(map[string]bool, len(r.Permissions))
	for i, code := range r.Permissions {
		f := fmt.Sprintf("permissions[%d]", i)
		p, ok := perms[code]
		switch {
		case !ok:
			v.Add(f, "exists", fmt.Sprintf("role %s: unknown permission %q", r.Code, code))
		case seen[code]:
			v.Add(f, "unique", fmt.Sprintf("role %s: permission %s listed twice", r.Code, code))
		case validType(r.Type) && p.Type != r.Type:
			v.Add(f, "type", fmt.Sprintf("role %s is a %s role and cannot hold %s permission %s", r.Code, r.Type, p.Type, code))
		}
		seen[code] = true
	}
	return v.OrNil()
}

// ValidateAssignment checks that a user of the given kind may hold roles: a
// customer user holds customer roles only, a back-office user never a customer
// role. The error (wrapping clientele.ErrInvalid) names every offending role.
func ValidateAssignment(kind PermissionType, roles []Role) error {
	v := &clientele.ValidationError{}
	if !validType(kind) {
		v.Add("kind", "oneof", "user kind must be backoffice or customer")
		return v
	}
	for i, r := range roles {
		if r.Type != kind {
			v.Add(fmt.Sprintf("roles[%d]", i), "type",
				fmt.Sprintf("a %s user cannot hold %s role %s", kind, r.Type, r.Code))
		}
	}
	return v.OrNil()
}

// ValidateSpec checks a whole catalogue: every permission, every role against
// the permissions, unique codes, the employee-account permission, and every
// policy's condition (compiled). Compile calls it.
func ValidateSpec(s Spec) error {
	v := &clientele.ValidationError{}
	perms := make(map[string]Permission, len(s.Permissions))
	for i, p := range s.Permissions {
		if err := ValidatePermission(p); err != nil {
			addProblems(v, fmt.Sprintf("permissions[%d].", i), err)
		}
		if _, dup := perms[p.Code]; dup {
			v.Add(fmt.Sprintf("permissions[%d].code", i), "unique", "permission "+p.Code+" defined twice")
		}
		perms[p.Code] = p
	}
	roles := make(map[string]bool, len(s.Roles))
	for i, r := range s.Roles {
		if err := ValidateRole(r, perms); err != nil {
			addProblems(v, fmt.Sprintf("roles[%d].", i), err)
		}
		if roles[r.Code] {
			v.Add(fmt.Sprintf("roles[%d].code", i), "unique", "role "+r.Code+" defined twice")
		}
		roles[r.Code] = true
	}
	for _, code := range s.TenantWidePermissions {
		if p, ok := perms[code]; !ok || p.Type != Backoffice {
			v.Add("tenantWidePermissions", "exists", "tenant-wide permission "+code+" must be a back-office permission of the catalogue")
		}
	}
	if s.StaffPermission != "" {
		if p, ok := perms[s.StaffPermission]; !ok || p.Type != Backoffice {
			v.Add("staffPermission", "exists", "employee-account permission "+s.StaffPermission+" must be a back-office permission of the catalogue")
		}
	}
	pols := make(map[string]bool, len(s.Policies))
	for i, p := range s.Policies {
		f := fmt.Sprintf("policies[%d]", i)
		CheckCode(v, f+".code", p.Code)
		if p.Name != "" {
			textcheck.Line(v, f+".name", p.Name, MaxNameLength)
		}
		textcheck.Text(v, f+".condition", p.Condition, MaxConditionLength)
		if pols[p.Code] {
			v.Add(f+".code", "unique", "policy "+p.Code+" defined twice")
		}
		pols[p.Code] = true
		for j, op := range p.Operations {
			if !op.Known() {
				v.Add(fmt.Sprintf("%s.operations[%d]", f, j), "operation", fmt.Sprintf("policy %s: unknown operation %q", p.Code, op))
			}
		}
		cp, err := CompilePolicy(p)
		if err != nil {
			v.Add(f+".condition", "policy", err.Error())
			continue
		}
		for _, rc := range cp.roleRefs {
			if !roles[rc] {
				v.Add(f+".condition", "role", fmt.Sprintf("policy %s names unknown role %s", p.Code, rc))
			}
		}
	}
	return v.OrNil()
}

func addProblems(v *clientele.ValidationError, prefix string, err error) {
	var ve *clientele.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			v.Add(prefix+p.Field, p.Rule, p.Message)
		}
		return
	}
	v.Add(strings.TrimSuffix(prefix, "."), "invalid", err.Error())
}
