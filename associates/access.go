package associates

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/users"
)

// Users is what the service needs of package users to give an associate
// back-office access and to keep its users in step with it.
// *users.Service implements it.
type Users interface {
	// Invite invites a user (users.Service.Invite), in the transaction ctx
	// carries.
	Invite(ctx context.Context, p authz.Principal, in users.InviteInput, idempotencyKey string) (users.User, error)
	// FollowLinked makes the users of an associate follow its change
	// (users.Service.FollowLinked), in the transaction ctx carries.
	FollowLinked(ctx context.Context, p authz.Principal, op authz.Operation, l users.Linked, ch users.LinkedChange) ([]users.User, error)
}

// Atomic is the unit of work a Store offers when the service has Users: a
// change of an associate and of its users is one transaction.
// storage.AssociateStore implements it.
type Atomic interface {
	// Atomically runs fn in one transaction, committed when fn returns nil
	// and rolled back otherwise. Every store and service call made with the
	// ctx fn receives joins it. Called with a ctx that carries the caller's
	// transaction, it joins that one (under a savepoint) instead of opening
	// a second.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}

// WithUsers gives the service package users: CreateAssociate can then invite
// an associate's back-office user (NewAssociate.Access), UpdateAssociate
// passes a new name or email on to the associate's users, and Deactivate
// blocks them, each in the transaction of the associate's change. The Store
// must implement Atomic (New fails otherwise).
func WithUsers(u Users) Option { return func(s *Service) { s.users = u } }

// Access is the back-office access CreateAssociate gives a new associate: a
// user of the tenant linked to it, invited as the acting principal would
// invite it with users.Service.Invite (the inviter's rank and the
// no-escalation rule on roles apply). The user takes the associate's name,
// email and phone: an originator admin needs the associate's email (it
// registers by email), an originator agent its phone (it registers by phone).
type Access struct {
	// Type is the user's type: originator_admin or originator_agent (or
	// node_operator, which only a node operator may invite).
	Type users.Type `json:"type"`
	// Roles are the user's back-office roles.
	Roles []string `json:"roles,omitempty"`
}

// checkAccess checks what can be checked of an Access before anything is
// read: the type must be a back-office one.
func checkAccess(v *clientele.ValidationError, a *Access) {
	if a == nil {
		return
	}
	t, err := users.ParseType(string(a.Type))
	if err != nil || t.Kind() != authz.Backoffice {
		v.Add("access.type", "oneof", "must be node_operator, originator_admin or originator_agent")
	}
}

// accessProblems renames the problems of an invitation made for
// NewAssociate.Access to the fields of NewAssociate: type and roles live
// under "access"; name, email and phone are the associate's own.
func accessProblems(err error) error {
	var verr *clientele.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	out := &clientele.ValidationError{}
	for _, p := range verr.Problems {
		if p.Field == "type" || p.Field == "roles" || strings.HasPrefix(p.Field, "roles[") {
			p.Field = "access." + p.Field
		}
		out.Problems = append(out.Problems, p)
	}
	return out
}

// atomically runs fn in one transaction of the store when the service has
// Users (their change joins the associate's), and as it is otherwise (each
// store call is its own transaction then, and fn makes only one).
func (s *Service) atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.atomic == nil {
		return fn(ctx)
	}
	return s.atomic.Atomically(ctx, fn)
}

// follow passes ch on to the associate's users, when the service has Users.
func (s *Service) follow(ctx context.Context, p authz.Principal, op authz.Operation, id string, ch users.LinkedChange) error {
	if s.users == nil {
		return nil
	}
	if _, err := s.users.FollowLinked(ctx, p, op, users.Linked{AssociateID: id}, ch); err != nil {
		return fmt.Errorf("the associate's users: %w", err)
	}
	return nil
}
