package portal

import (
	"context"
	"time"

	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/users"
)

// Authorizer decides whether a principal may perform an operation: nil when
// allowed, an error wrapping clientele.ErrForbidden otherwise (and also
// clientele.ErrPortalDisabled when the tenant has switched the portal off).
// *authz.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, op authz.Operation, r authz.Resource) error
	AuthorizeOperation(ctx context.Context, p authz.Principal, op authz.Operation) error
}

// Clients creates, reads and lists clients as the acting principal may
// (CL003, CL002 and CL001, within its data scope): Get and Details are
// ErrNotFound for a client that is missing or out of reach. Create joins the transaction ctx
// carries. *clients.Service implements it.
type Clients interface {
	Create(ctx context.Context, p authz.Principal, in clients.CreateInput, idempotencyKey string) (clients.Client, error)
	Get(ctx context.Context, p authz.Principal, reference string) (clients.Client, error)
	Details(ctx context.Context, p authz.Principal, reference string) (clients.Details, error)
	List(ctx context.Context, p authz.Principal, req clients.ListRequest) (clients.Page, error)
}

// Users creates and administers the customer user a portal access is linked
// to. Each method joins the transaction ctx carries (see Store.InTx).
// *users.Service implements it.
type Users interface {
	Invite(ctx context.Context, p authz.Principal, in users.InviteInput, idempotencyKey string) (users.User, error)
	Get(ctx context.Context, p authz.Principal, userID string) (users.User, error)
	AssignRoles(ctx context.Context, p authz.Principal, userID string, roles []string) (users.User, error)
	Block(ctx context.Context, p authz.Principal, userID string) (users.User, error)
	Unblock(ctx context.Context, p authz.Principal, userID string) (users.User, error)
}

// Store is what the service needs from persistence; storage's *PortalStore
// implements it on SQLite and PostgreSQL. Every method is scoped to one
// tenant and joins the transaction ctx carries.
type Store interface {
	// InTx runs fn in one transaction (the caller's, under a savepoint, when
	// ctx carries one). Every store and users call made with the ctx fn
	// receives joins it.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Access returns the client's portal access, or ErrNotFound.
	Access(ctx context.Context, tenantID, clientID string) (Access, error)
	// Accesses returns the portal access of each of the clients that has
	// one, by client ID, in one query.
	Accesses(ctx context.Context, tenantID string, clientIDs []string) (map[string]Access, error)
	// PutAccess inserts a (version 1) when version is 0, and otherwise
	// replaces the stored access if its version is still version (a newer
	// one is ErrConflict), setting a.Version to version+1; with the audit
	// entry, in one transaction. A username taken in the tenant is a
	// *clientele.ValidationError naming portalAccess.username.
	PutAccess(ctx context.Context, a Access, version int64, entry audit.Entry) (Access, error)
	// CreateTransfer records a pending transfer with its idempotency key, its
	// audit entry and its outbox effect in one transaction (package
	// idempotency): a key recorded with the same request hash returns the
	// transfer recorded then, as it stands now (replayed true), and writes
	// nothing; another hash, or a first request still in flight, is
	// ErrConflict.
	CreateTransfer(ctx context.Context, t Transfer, idem idempotency.Key, entry audit.Entry, effect outbox.Effect) (saved Transfer, replayed bool, err error)
	// Transfer returns one transfer, or ErrNotFound.
	Transfer(ctx context.Context, tenantID, id string) (Transfer, error)
	// SettleTransfer moves a pending transfer to status (completed or
	// failed) with the bank's transfer ID or the failure, appends entry, and
	// marks the transfer's outbox effect (effectKey) delivered, withdrawing
	// it from the dispatcher unless the dispatcher is working it already, in
	// one transaction. A transfer that is no longer pending is left as it is
	// (no entry is written). It returns the transfer as stored.
	SettleTransfer(ctx context.Context, tenantID, id string, status TransferStatus, bankTransferID, failure string, at time.Time, entry audit.Entry, effectKey string) (Transfer, error)
	// HandOver makes the first attempt of the transfer's outbox effect
	// (effectKey) due now, whatever its Delay: the request could not execute
	// the transfer, and the dispatcher takes over at once.
	HandOver(ctx context.Context, tenantID, effectKey string) error
}
