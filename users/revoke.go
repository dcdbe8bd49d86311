package users

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
)

// OpRevokeClientUsers is the audit operation of a user blocked because its
// client was archived (clients.Service.Archive, CL005).
const OpRevokeClientUsers = "CL005"

var errAlreadyBlocked = errors.New("user already blocked")

// RevokeClientUsers blocks every user linked to the client (invited or
// active), ending its sessions and revoking its unused codes, each user in one
// transaction of the store with an audit entry naming actor (the user who
// asked for the archive). A user already blocked is left alone (blocking
// revoked its sessions then), so calling it again changes nothing more. It
// returns how many users it blocked.
//
// It takes no principal: it is the archive saga's step (clients.UserRevoker),
// which runs only for an archive that clients.Service.Archive authorized.
func (s *Service) RevokeClientUsers(ctx context.Context, tenantID, clientID, actor string) (int, error) {
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("users: revoke users of client %s: %w", clientID, err)
	}
	if tenantID == "" || clientID == "" {
		return fail(clientele.NewValidationError("clientId", "required", "is required"))
	}
	// The same look-up as FollowLinked's, bounded the same way.
	ids, err := s.store.LinkedUsers(ctx, tenantID, Linked{ClientID: clientID}, MaxLinkedUsers+1)
	if err != nil {
		return fail(err)
	}
	if len(ids) > MaxLinkedUsers {
		return fail(fmt.Errorf("more than %d users: %w", MaxLinkedUsers, clientele.ErrPrecondition))
	}
	blocked := 0
	for _, id := range ids {
		now := s.clock()
		_, err := s.store.Change(ctx, tenantID, id, func(c *Change) error {
			acc := &c.Account.User
			if acc.State == Blocked {
				return errAlreadyBlocked
			}
			acc.State, acc.UpdatedAt = Blocked, now
			c.At = now
			c.RevokeSessions = true
			c.RevokeCodes = []Purpose{PurposeInvitation, PurposePINTicket}
			c.Audit = s.entry(tenantID, actor, OpRevokeClientUsers, id, now, "state")
			return nil
		})
		if errors.Is(err, clientele.ErrNotFound) || errors.Is(err, errAlreadyBlocked) {
			continue // deleted, or blocked before (its sessions were revoked then)
		}
		if err != nil {
			return fail(err)
		}
		blocked++
	}
	return blocked, nil
}
