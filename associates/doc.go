// Package associates holds seed 000's staff extensions: a tenant's offices,
// the classifications of its associates with their data tables, the
// associates themselves (staff in the widest sense: employees, agents,
// partners, funders) in a hierarchy, and their links to centers, groups,
// clients, loans and savings accounts.
//
// # Offices
//
// Offices form a tree (head office, regions, branches). CreateOffice makes a
// root or a child of an open office; RenameOffice renames; MoveOffice puts an
// office, with its whole subtree, under another parent, and refuses a parent
// inside the office's own subtree (clientele.ErrPrecondition); ListOffices
// lists a subtree, keyset-paged; CloseOffice closes an office that has no open
// child office and no active associate, and otherwise fails with
// clientele.ErrPrecondition saying which.
//
// # Classifications and data tables
//
// A Classification (Employee, Agent, Partner, Funding Partner, …) gives its
// members a data scope mode, ScopeBranch or ScopeRestricted, and a data table:
// typed Fields (string, number, date, boolean, enum), each optionally
// required and bounded (length, range, dates, enum values).
// Classification.ValidateData checks an associate's Data against them and
// names every problem "data.<field>" in a *clientele.ValidationError. A
// classification is fixed once created; this package has no call that
// changes one.
//
// # Associates and links
//
// An associate belongs to an open office, has a classification, and may have
// a parent associate. CreateAssociate validates its data against the
// classification; UpdateAssociate changes name, email, phone and data;
// Deactivate, Transfer (to another open office), SetParent (moves the
// associate with everyone below it; a cycle is refused with
// clientele.ErrPrecondition) and SetAgent change the rest. ListAssociates with
// a root lists "that associate and everyone below it".
//
// Link ties an active associate to an Entity (center, group, client, loan or
// savings; the kinds other than client are opaque core-banking IDs); many
// associates may be linked to one entity, and linking a linked pair again
// changes nothing. EntityLinks and AssociateLinks list them.
//
// The data scope stored here (the classification's mode, the office tree,
// the hierarchy, the client links) limits what an associate's principal sees
// of clients: package clients applies it inside its queries (clients.Scope).
//
// # Associates and their users
//
// A back-office user names its associate (users.User.AssociateID, which must
// be an active associate of the tenant), and users.Service.Authenticate reads
// that associate on every request: the principal's AssociateID and OfficeID
// (the policy attribute member.office) are the associate's as stored, so a
// Transfer applies from its user's next request, and a Deactivate refuses
// its user's sessions and logins at once.
//
// A Service built WithUsers (given *users.Service) also keeps the users in
// step, each time in the transaction of the associate's change (the store's
// unit of work, Atomic, which joins the caller's transaction):
//
//   - CreateAssociate with NewAssociate.Access invites the associate's
//     back-office user (users.Service.Invite, as the acting principal, so the
//     inviter's rank and the no-escalation rule on roles apply), named,
//     emailed and phoned as the associate. The associate, the user, both
//     audit entries and the invitation's outbox effect commit together or not
//     at all: a refused invitation leaves no associate. CreateAssociate takes
//     no idempotency key; a retry after an unknown outcome fails on the taken
//     email or phone rather than creating a second user.
//   - UpdateAssociate passes a new name or email on to the associate's users
//     (users.Service.FollowLinked); an email another user holds fails the
//     whole update (clientele.ErrConflict). The phone is not passed on: it is
//     how a phone user signs in, and changes only through package users.
//   - Deactivate blocks the associate's active users (state blocked, every
//     session revoked) and revokes its invited users' invitations. There is
//     no reactivation: deactivation is final in this package, and an
//     administrator unblocks a user only through users.Service.Unblock,
//     which the deactivated associate still refuses at login.
//
// Without Users an associate's user is invited separately, naming it, and
// NewAssociate.Access is refused.
//
// # Rules every call follows
//
// Every Service method takes the acting authz.Principal and authorizes its
// operation (AS001–AS012, granted in both presets by the associate_admin
// permission of the security administrator role RA001) before it validates
// input or reads anything. It then acts only in the principal's tenant: an ID
// of another tenant is clientele.ErrNotFound, as a missing one. Changes carry
// the version the caller read; a stale one fails with clientele.ErrConflict
// and writes nothing. Every change writes an audit entry naming the changed
// fields in the same transaction, and joins the caller's transaction when
// there is one (storage.DB.InTx).
//
// The trees are the Store's to keep consistent under concurrency: of two
// concurrent moves that would together form a cycle, at most one succeeds.
// storage.AssociateStore stores both trees as materialized paths, so a
// subtree is one indexed range on both SQLite and PostgreSQL.
package associates
