package users

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// MaxLinkedUsers is how many users one associate or client may have for
// FollowLinked: a record with more is refused (clientele.ErrPrecondition)
// rather than changed in part.
const MaxLinkedUsers = 100

// Linked names the record users are linked to: an associate (back-office
// users, User.AssociateID) or a client (customer users, User.ClientID).
// Exactly one of the two is set.
type Linked struct {
	AssociateID string
	ClientID    string
}

func (l Linked) check() error {
	if (l.AssociateID == "") == (l.ClientID == "") {
		return fmt.Errorf("users: a Linked names exactly one associate or one client: %w", clientele.ErrInvalid)
	}
	return nil
}

// LinkedChange is what the linked record went through, for its users to
// follow. A nil field is left as it is.
type LinkedChange struct {
	// Name and Email, when set, are the record's new name and email; the
	// users take them (an email is stored lower-cased, as Invite stores it).
	Name  *string
	Email *string
	// Disable blocks the record's active users, revoking their sessions at
	// once, and revokes the pending invitation of its invited users (who
	// stay invited and cannot register). Blocked users stay blocked.
	Disable bool
}

// FollowLinked makes every user linked to l follow a change of that record,
// in the transaction ctx carries (the caller's, so the record's change and
// its users' commit or roll back together). It is the users' half of a
// change another service makes: associates.Service calls it when an
// associate's name or email changes, or the associate is deactivated, and a
// portal may call it for a client's users.
//
// It is authorized as op, the operation of that change, for p, before
// anything is read; the changed users' audit entries name p and op. It does
// not apply the administrative rules of Block or AssignRoles (rank, the
// administrator's own account): the change is the record's, already allowed
// by op. A user that would change in nothing is not written.
//
// An email a user must have (it registers by email or social account) cannot
// be taken away: a *clientele.ValidationError naming "email". An email another
// user of the tenant holds fails with a *ConflictError naming "email". A
// record with more than MaxLinkedUsers users fails with
// clientele.ErrPrecondition and changes nothing. It returns the users as
// changed.
func (s *Service) FollowLinked(ctx context.Context, p authz.Principal, op authz.Operation, l Linked, ch LinkedChange) ([]User, error) {
	fail := func(err error) ([]User, error) { return nil, fmt.Errorf("users: follow linked record: %w", err) }
	if err := s.az.Authorize(ctx, p, op, authz.Resource{TenantID: p.TenantID}); err != nil {
		return fail(err)
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	var email string
	v := &clientele.ValidationError{}
	if ch.Name != nil {
		checkRequired(v, "name", *ch.Name)
		checkLen(v, "name", *ch.Name, 200)
	}
	if ch.Email != nil {
		email = normEmail(*ch.Email)
		checkEmail(v, "email", email, false)
	}
	if err := v.OrNil(); err != nil {
		return fail(err)
	}
	if ch.Name == nil && ch.Email == nil && !ch.Disable {
		return []User{}, nil
	}
	ids, err := s.store.LinkedUsers(ctx, p.TenantID, l, MaxLinkedUsers+1)
	if err != nil {
		return fail(err)
	}
	if len(ids) > MaxLinkedUsers {
		return fail(fmt.Errorf("more than %d users are linked to the record: %w", MaxLinkedUsers, clientele.ErrPrecondition))
	}
	now := s.clock()
	out := make([]User, 0, len(ids))
	for _, id := range ids {
		var unchanged bool
		u, err := s.store.Change(ctx, p.TenantID, id, func(c *Change) error {
			u := &c.Account.User
			var changed []string
			if ch.Name != nil && u.Name != *ch.Name {
				u.Name = *ch.Name
				changed = append(changed, "name")
			}
			if ch.Email != nil && u.Email != email {
				if email == "" && !u.Type.usesPhone() {
					return clientele.NewValidationError("email", "required", "is required: a linked user signs in by email")
				}
				u.Email = email
				changed = append(changed, "email")
			}
			if ch.Disable {
				switch u.State {
				case Active:
					u.State = Blocked
					c.RevokeSessions = true
					changed = append(changed, "state")
				case Invited:
					c.RevokeCodes = []Purpose{PurposeInvitation, PurposePINTicket}
					changed = append(changed, "invitation")
				}
			}
			if len(changed) == 0 {
				unchanged = true
				return errUnchanged
			}
			u.UpdatedAt, c.At = now, now
			c.Audit = s.entry(p.TenantID, p.UserID, string(op), id, now, changed...)
			return nil
		})
		if unchanged && errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil {
			return fail(err)
		}
		out = append(out, u)
	}
	return out, nil
}

// errUnchanged aborts a Change that has nothing to write.
var errUnchanged = errors.New("users: nothing to change")
