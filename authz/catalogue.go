package authz

import (
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
)

// Org is what policies know about a tenant (the org.* attributes). Storage
// provides it through an OrgSource.
type Org struct {
	TenantID string
	// Apps maps an app ("backoffice", "retail") to its subscription state,
	// "active" or "inactive" (policy attribute org.apps.<app>).
	Apps map[string]string
	// ClientPortal is the tenant-wide client portal switch (seed 000
	// c_configuration client_portal; policy attribute org.clientPortal).
	ClientPortal bool
}

// Decision is the outcome of one authorization, with its reason.
type Decision struct {
	Allowed bool
	// Reason says why, in English: the granting permission and role, or the
	// missing permission or failed policy.
	Reason string
	// Permission is the granting permission when allowed; when denied for lack
	// of the employee-account permission, that permission.
	Permission string
	// Role is the role through which the permission was granted.
	Role string
	// Policy is the policy that failed (denied), or the role-bound policy the
	// grant was qualified by (allowed).
	Policy string
}

// Catalogue is a compiled Spec: permissions, roles and policies indexed so that
// Decide does no parsing and, on the common paths, no allocation. It is
// immutable and safe for concurrent use.
type Catalogue struct {
	spec       Spec
	opIndex    map[Operation]int
	ops        []Operation
	roles      map[string]*compiledRole
	policies   []*CompiledPolicy
	tenantWide [][]tenantPolicy // per operation index
	missing    []string         // per operation index: deny reason
	staffDeny  []string         // per operation index: deny reason
	kindDeny   []string         // per operation index: deny reason for the wrong principal kind
}

type grant struct {
	perm, role, policy, reason string
}

type boundPolicy struct {
	pol    *CompiledPolicy
	reason string // deny reason when it fails
}

type tenantPolicy struct {
	pol    *CompiledPolicy
	reason string
}

type compiledRole struct {
	role     Role
	bits     []uint64 // operations the role grants, by operation index
	grants   []grant  // per operation index
	bound    [][]boundPolicy
	staff    bool   // holds the employee-account permission
	wide     bool   // holds a tenant-wide permission (Spec.TenantWidePermissions)
	kindDeny string // reason when held by a principal of the other kind
}

func (r *compiledRole) grantsOp(i int) bool { return r.bits[i>>6]&(1<<(uint(i)&63)) != 0 }

// Compile validates s (see ValidateSpec) and compiles it. The result does not
// share memory with s.
func Compile(s Spec) (*Catalogue, error) {
	if err := ValidateSpec(s); err != nil {
		return nil, fmt.Errorf("authz: catalogue %s: %w", s.Name, err)
	}
	s = s.Clone()
	c := &Catalogue{spec: s, opIndex: map[Operation]int{}, roles: make(map[string]*compiledRole, len(s.Roles))}
	for _, op := range Operations() {
		c.opIndex[op] = len(c.ops)
		c.ops = append(c.ops, op)
	}
	n := len(c.ops)
	perms := s.PermissionMap()

	grantedBy := make([][]string, n)
	for _, p := range s.Permissions {
		for _, op := range p.Operations {
			i := c.opIndex[op]
			if !has(grantedBy[i], p.Code) {
				grantedBy[i] = append(grantedBy[i], p.Code)
			}
		}
	}
	c.missing = make([]string, n)
	c.staffDeny = make([]string, n)
	c.kindDeny = make([]string, n)
	for i, op := range c.ops {
		m := fmt.Sprintf("no role of the principal grants %s (%s)", op, op.Summary())
		if len(grantedBy[i]) > 0 {
			m += "; permissions that do: " + strings.Join(grantedBy[i], ", ")
		}
		c.missing[i] = m
		c.staffDeny[i] = fmt.Sprintf("%s (%s) on a staff-owned client also needs the employee-account permission %s",
			op, op.Summary(), s.StaffPermission)
		if s.StaffPermission == "" {
			c.staffDeny[i] = fmt.Sprintf("%s (%s) on a staff-owned client: the catalogue has no employee-account permission", op, op.Summary())
		}
		c.kindDeny[i] = fmt.Sprintf("%s (%s) is a %s operation", op, op.Summary(), op.Type())
	}

	for _, pol := range s.Policies {
		cp, err := CompilePolicy(pol)
		if err != nil { // ValidateSpec compiled it already
			return nil, err
		}
		c.policies = append(c.policies, cp)
	}
	c.tenantWide = make([][]tenantPolicy, n)
	for _, cp := range c.policies {
		if cp.bound != nil {
			continue
		}
		for i, op := range c.ops {
			if cp.Covers(op) {
				c.tenantWide[i] = append(c.tenantWide[i], tenantPolicy{cp,
					fmt.Sprintf("policy %s (%s) does not hold: %s", cp.Code, cp.Name, cp.Condition)})
			}
		}
	}

	for _, r := range s.Roles {
		cr := &compiledRole{
			role:     r,
			bits:     make([]uint64, (n+63)/64),
			grants:   make([]grant, n),
			bound:    make([][]boundPolicy, n),
			kindDeny: fmt.Sprintf("role %s is a %s role; a principal holds roles of its own kind only", r.Code, r.Type),
		}
		for _, code := range r.Permissions {
			p := perms[code]
			if code == s.StaffPermission {
				cr.staff = true
			}
			if has(s.TenantWidePermissions, code) {
				cr.wide = true
			}
			for _, op := range p.Operations {
				i := c.opIndex[op]
				if cr.grantsOp(i) {
					continue
				}
				cr.bits[i>>6] |= 1 << (uint(i) & 63)
				cr.grants[i] = grant{perm: code, role: r.Code,
					reason: fmt.Sprintf("%s granted by permission %s of role %s", op, code, r.Code)}
			}
		}
		for _, cp := range c.policies {
			if !has(cp.bound, r.Code) {
				continue
			}
			for i, op := range c.ops {
				if !cr.grantsOp(i) || !cp.Covers(op) {
					continue
				}
				cr.bound[i] = append(cr.bound[i], boundPolicy{cp,
					fmt.Sprintf("role %s grants %s only where policy %s (%s) holds: %s", r.Code, op, cp.Code, cp.Name, cp.Condition)})
				g := &cr.grants[i]
				g.policy = cp.Code
				g.reason += " under policy " + cp.Code
			}
		}
		c.roles[r.Code] = cr
	}
	return c, nil
}

const (
	reasonTenant    = "principal and resource belong to different tenants"
	reasonOrg       = "principal does not belong to the tenant"
	reasonKind      = "principal has no valid kind (backoffice or customer)"
	reasonUnknownOp = "unknown operation"
	reasonPortal    = "the tenant has switched the client portal off"
	reasonSelf      = "an associate may not change the client account that is its own (staff-owned, anti-fraud)"
)

// Decide decides whether p may perform op on r in the tenant described by org.
// Deny by default: allowed only when a role the principal holds, of the
// principal's own kind, has a permission granting op whose role-bound policies
// hold, the employee-account rule is met for a change to a staff-owned client
// (and the associate is not changing its own account), the client portal is
// switched on for a customer operation, and every tenant-wide policy covering op
// holds. A principal holding a role of
// the other kind is denied outright. Decide neither parses nor, when it allows,
// allocates.
//
// The checks before any role is read are admit's, shared with HoldsOperation.
func (c *Catalogue) Decide(p Principal, org Org, op Operation, r Resource) Decision {
	i, deny := c.admit(p, org, op)
	switch {
	case deny == reasonOrg:
		return Decision{Reason: deny}
	case r.TenantID != "" && r.TenantID != p.TenantID:
		return Decision{Reason: reasonTenant}
	case deny != "":
		return Decision{Reason: deny}
	}
	info, _ := op.info()
	e := env{p: &p, org: &org, r: &r, op: op}
	var granted *grant
	var failed *boundPolicy
	staff := false
	for _, code := range p.Roles {
		cr := c.roles[code]
		if cr == nil {
			continue // a role removed from the catalogue grants nothing
		}
		if cr.role.Type != p.Kind {
			return Decision{Reason: cr.kindDeny}
		}
		staff = staff || cr.staff
		if granted != nil || !cr.grantsOp(i) {
			continue
		}
		ok := true
		for j := range cr.bound[i] {
			if eval(cr.bound[i][j].pol.residual, &e) != tTrue {
				ok = false
				if failed == nil {
					failed = &cr.bound[i][j]
				}
				break
			}
		}
		if ok {
			granted = &cr.grants[i]
		}
	}
	if granted == nil {
		if failed != nil {
			return Decision{Reason: failed.reason, Policy: failed.pol.Code}
		}
		return Decision{Reason: c.missing[i]}
	}
	if r.StaffOwned && info.changes {
		if !staff {
			return Decision{Reason: c.staffDeny[i], Permission: c.spec.StaffPermission}
		}
		if r.StaffAssociateID != "" && r.StaffAssociateID == p.AssociateID {
			return Decision{Reason: reasonSelf}
		}
	}
	for _, tp := range c.tenantWide[i] {
		if eval(tp.pol.root, &e) != tTrue {
			return Decision{Reason: tp.reason, Policy: tp.pol.Code}
		}
	}
	return Decision{Allowed: true, Reason: granted.reason, Permission: granted.perm, Role: granted.role, Policy: granted.policy}
}

// TenantWide reports whether p sees every client of its tenant: p is a
// back-office principal holding, through a role of its own kind, one of the
// catalogue's TenantWidePermissions. Any other principal sees only the
// clients of its associate's data scope (package clients).
func (c *Catalogue) TenantWide(p Principal) bool {
	if p.Kind != Backoffice {
		return false
	}
	for _, code := range p.Roles {
		if cr := c.roles[code]; cr != nil && cr.role.Type == p.Kind && cr.wide {
			return true
		}
	}
	return false
}

// Name is the name of the spec the catalogue was compiled from.
func (c *Catalogue) Name() string { return c.spec.Name }

// Spec returns a copy of the catalogue as data.
func (c *Catalogue) Spec() Spec { return c.spec.Clone() }

// Permissions lists the catalogue's permissions of the listing's type, in
// catalogue order.
func (c *Catalogue) Permissions(t ListType) []Permission {
	out := []Permission{}
	for _, p := range c.spec.Permissions {
		if t.Includes(p.Type) {
			p.Operations = append([]Operation(nil), p.Operations...)
			out = append(out, p)
		}
	}
	return out
}

// Roles lists the catalogue's roles of the listing's type, in catalogue order.
func (c *Catalogue) Roles(t ListType) []Role {
	out := []Role{}
	for _, r := range c.spec.Roles {
		if t.Includes(r.Type) {
			out = append(out, r.clone())
		}
	}
	return out
}

// Role returns the role with the given code.
func (c *Catalogue) Role(code string) (Role, bool) {
	cr, ok := c.roles[code]
	if !ok {
		return Role{}, false
	}
	return cr.role.clone(), true
}

// Permission returns the permission with the given code.
func (c *Catalogue) Permission(code string) (Permission, bool) {
	for _, p := range c.spec.Permissions {
		if p.Code == code {
			p.Operations = append([]Operation(nil), p.Operations...)
			return p, true
		}
	}
	return Permission{}, false
}

// Policies returns the compiled policies in catalogue order.
func (c *Catalogue) Policies() []*CompiledPolicy {
	return append([]*CompiledPolicy(nil), c.policies...)
}

// ValidatePrincipal checks that every role p holds exists in the catalogue and
// is of p's kind (see ValidateAssignment). The error wraps clientele.ErrInvalid.
func (c *Catalogue) ValidatePrincipal(p Principal) error {
	v := &clientele.ValidationError{}
	if !validType(p.Kind) {
		v.Add("kind", "oneof", "user kind must be backoffice or customer")
		return v
	}
	for i, code := range p.Roles {
		cr, ok := c.roles[code]
		switch {
		case !ok:
			v.Add(fmt.Sprintf("roles[%d]", i), "exists", "unknown role "+code)
		case cr.role.Type != p.Kind:
			v.Add(fmt.Sprintf("roles[%d]", i), "type",
				fmt.Sprintf("a %s user cannot hold %s role %s", p.Kind, cr.role.Type, code))
		}
	}
	return v.OrNil()
}

// admit runs the checks every decision starts with, before any role is read:
// the principal's tenant is the org's, its kind is known, the operation is
// known and of the principal's kind, and a customer operation needs the
// portal on. It returns the operation's index, or the reason of a denial.
func (c *Catalogue) admit(p Principal, org Org, op Operation) (int, string) {
	if p.TenantID == "" || org.TenantID != p.TenantID {
		return 0, reasonOrg
	}
	if !validType(p.Kind) {
		return 0, reasonKind
	}
	i, ok := c.opIndex[op]
	if !ok {
		return 0, reasonUnknownOp
	}
	info, _ := op.info()
	if info.typ != p.Kind {
		return 0, c.kindDeny[i]
	}
	if info.typ == Customer && !org.ClientPortal {
		return 0, reasonPortal
	}
	return i, ""
}
