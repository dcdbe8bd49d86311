package authz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clientele-go/clientele"
)

// HoldsOperation is the first half of authorizing a call on one resource: it
// decides whether p may perform op at all, before anything is read. It is
// Decide without the parts that need the resource: the tenant, the principal's
// kind, the portal switch, some role of p granting op (role-bound policies are
// left for the resource decision), and every tenant-wide policy covering op
// that names no client or request attribute. A service calls it first and
// answers a denial with ErrForbidden; it then reads the resource and calls
// Decide, and answers a denial there exactly as it answers a missing resource
// (clientele.ErrNotFound), so that a principal cannot learn which resources
// exist beyond those it may touch.
func (c *Catalogue) HoldsOperation(p Principal, org Org, op Operation) Decision {
	i, deny := c.admit(p, org, op)
	if deny != "" {
		return Decision{Reason: deny}
	}
	var granted *grant
	for _, code := range p.Roles {
		cr := c.roles[code]
		if cr == nil {
			continue
		}
		if cr.role.Type != p.Kind {
			return Decision{Reason: cr.kindDeny}
		}
		if granted == nil && cr.grantsOp(i) {
			granted = &cr.grants[i]
		}
	}
	if granted == nil {
		return Decision{Reason: c.missing[i]}
	}
	r := Resource{TenantID: p.TenantID}
	e := env{p: &p, org: &org, r: &r, op: op}
	for _, tp := range c.tenantWide[i] {
		if needsResource(tp.pol.root) {
			continue
		}
		if eval(tp.pol.root, &e) != tTrue {
			return Decision{Reason: tp.reason, Policy: tp.pol.Code}
		}
	}
	return Decision{Allowed: true, Reason: granted.reason, Permission: granted.perm, Role: granted.role}
}

// needsResource reports whether a condition reads an attribute of the resource
// or the request (client.*, member.clients, a placeholder, request.amount).
func needsResource(n *node) bool {
	if n == nil {
		return false
	}
	if n.kind == nCmp && (resourceOperand(&n.lhs) || resourceOperand(&n.rhs)) {
		return true
	}
	return needsResource(n.l) || needsResource(n.r)
}

func resourceOperand(o *operand) bool {
	if o.kind == oPlace {
		return true
	}
	if o.kind != oAttr {
		return false
	}
	switch o.attr {
	case aMemberClients, aClientID, aClientOffice, aClientStaffOwned, aClientStaffAssoc, aClientAssigned, aAmount:
		return true
	}
	return false
}

// AuthorizeOperation returns nil when p may perform op at all
// (Catalogue.HoldsOperation), and otherwise a *DeniedError wrapping
// clientele.ErrForbidden, or the error of a source that failed. It reads
// nothing but the catalogue and the org attributes. Call it before reading the
// resource a call acts on, then Authorize on the resource read.
func (a *Authorizer) AuthorizeOperation(ctx context.Context, p Principal, op Operation) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("authz: %s: %w", op, err)
	}
	deny := func(reason string) error {
		return &DeniedError{Op: op, UserID: p.UserID, TenantID: p.TenantID, Decision: Decision{Reason: reason}}
	}
	if p.TenantID == "" {
		return deny("principal has no tenant")
	}
	cat, org, err := a.tenant(ctx, p.TenantID)
	if errors.Is(err, clientele.ErrNotFound) {
		return deny(reasonUnknownTenant)
	}
	if err != nil {
		return err
	}
	if d := cat.HoldsOperation(p, org, op); !d.Allowed {
		return &DeniedError{Op: op, UserID: p.UserID, TenantID: p.TenantID, Decision: d}
	}
	return nil
}

// HeldPermissions returns the codes of the permissions p holds outright: those
// of the roles p holds (of p's own kind) that no role-bound policy qualifies
// for any operation they grant. A permission p holds only under a role-bound
// policy ("role eq RP002 AND member.clients contain {client}") is not held
// outright: put into another role it would grant without the condition.
func (c *Catalogue) HeldPermissions(p Principal) map[string]bool {
	held := map[string]bool{}
	perms := c.spec.PermissionMap()
	for _, code := range p.Roles {
		cr := c.roles[code]
		if cr == nil || cr.role.Type != p.Kind {
			continue
		}
	perm:
		for _, pc := range cr.role.Permissions {
			for _, op := range perms[pc].Operations {
				if len(cr.bound[c.opIndex[op]]) > 0 {
					continue perm
				}
			}
			held[pc] = true
		}
	}
	return held
}

// heldOperations returns, by operation index, the operations some role of p
// (of p's kind) grants with no role-bound policy on them.
func (c *Catalogue) heldOperations(p Principal) []bool {
	ops := make([]bool, len(c.ops))
	for _, code := range p.Roles {
		cr := c.roles[code]
		if cr == nil || cr.role.Type != p.Kind {
			continue
		}
		for i := range c.ops {
			if cr.grantsOp(i) && len(cr.bound[i]) == 0 {
				ops[i] = true
			}
		}
	}
	return ops
}

// MayGrant reports whether p may give others the permission with this code: p
// holds it outright (HeldPermissions), or it grants operations and p holds
// every one of them outright through some permission (holding
// clnt_mgmt_admin, p may grant clnt_list, whose operations it covers). A
// permission that grants no operation (the employee-account permission) must
// be held itself. An unknown code is not grantable.
func (c *Catalogue) MayGrant(p Principal, code string) bool {
	return c.mayGrant(c.HeldPermissions(p), c.heldOperations(p), code)
}

func (c *Catalogue) mayGrant(held map[string]bool, ops []bool, code string) bool {
	if held[code] {
		return true
	}
	perm, ok := c.Permission(code)
	if !ok || len(perm.Operations) == 0 {
		return false
	}
	for _, op := range perm.Operations {
		if !ops[c.opIndex[op]] {
			return false
		}
	}
	return true
}

// GrantError is a refused grant: an actor tried to give a role, or to put into
// a role, a permission it does not hold itself, or to edit a role it holds. It
// unwraps to clientele.ErrForbidden.
type GrantError struct {
	// Role is the role granted or edited.
	Role string
	// Missing are the permissions the actor does not hold, in the role's order.
	Missing []string
	// Own is true when the actor holds the role it tried to edit.
	Own bool
}

func (e *GrantError) Error() string {
	if e.Own {
		return fmt.Sprintf("authz: role %s is held by the actor; only the node operator edits a role it holds", e.Role)
	}
	return fmt.Sprintf("authz: role %s has permissions the actor does not hold: %s", e.Role, strings.Join(e.Missing, ", "))
}

// Unwrap makes errors.Is(err, clientele.ErrForbidden) true.
func (e *GrantError) Unwrap() error { return clientele.ErrForbidden }

// CheckGrant checks that p may grant a role holding perms (a role it assigns
// or invites with, or a role's permissions before and after p edits it): p
// must be able to grant every back-office permission among perms (MayGrant). Customer permissions only ever let a client act on its
// own accounts through the portal and no back-office actor can hold one, so
// they are not checked here: who may give a client portal roles is decided by
// the operation (inviting a user, editing a role). The error is a *GrantError
// naming every missing permission. The node operator is exempt; the caller
// decides that and does not call CheckGrant for it.
func (c *Catalogue) CheckGrant(p Principal, role string, perms []string) error {
	held, ops := c.HeldPermissions(p), c.heldOperations(p)
	var missing []string
	for _, code := range perms {
		perm, ok := c.Permission(code)
		if ok && perm.Type == Customer {
			continue
		}
		if !c.mayGrant(held, ops, code) && !slices.Contains(missing, code) {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		return &GrantError{Role: role, Missing: missing}
	}
	return nil
}

// CheckGrantRoles is CheckGrant for each role code in roles, as the catalogue
// defines it. An unknown role is left to role validation (ValidatePrincipal)
// and not reported here.
func (c *Catalogue) CheckGrantRoles(p Principal, roles []string) error {
	for _, code := range roles {
		r, ok := c.Role(code)
		if !ok {
			continue
		}
		if err := c.CheckGrant(p, code, r.Permissions); err != nil {
			return err
		}
	}
	return nil
}
