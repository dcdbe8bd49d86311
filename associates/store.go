package associates

import (
	"context"

	"github.com/clientele-go/clientele/audit"
)

// Store keeps offices, classifications, associates and links. Storage
// implements it (storage.AssociateStore). Every method acts within one tenant:
// a row of another tenant is never read, changed or counted, and an ID of
// another tenant is clientele.ErrNotFound as a missing one.
//
// Every change writes its audit entry in the same transaction, and joins the
// caller's transaction when ctx carries one. The tree rules (no cycles, a
// move carries its whole subtree, a close needs an empty office) are the
// store's to enforce inside that transaction, since they depend on rows a
// concurrent change may be moving: of two concurrent changes that would
// together break a rule, at most one succeeds.
//
// References a change names (a parent, an office, a classification) that do
// not exist in the tenant fail with a *clientele.ValidationError naming the
// field ("parentId", "officeId", "classificationId"); a referenced office that
// is closed, or a referenced associate that is inactive, fails with
// clientele.ErrPrecondition.
type Store interface {
	// InsertOffice stores a new open office at version 1, as a root or under
	// o.ParentID, which must be open.
	InsertOffice(ctx context.Context, o Office, entry audit.Entry) error
	// Office returns one office, or clientele.ErrNotFound.
	Office(ctx context.Context, tenantID, id string) (Office, error)
	// Offices returns at most limit offices of the subtree of rootID (rootID
	// and every office below it; the whole tenant when rootID is "") whose ID
	// sorts after after, in ID order. An unknown rootID is clientele.ErrNotFound.
	Offices(ctx context.Context, tenantID, rootID, after string, limit int) ([]Office, error)
	// UpdateOffice runs change on the office in a transaction that holds it
	// against concurrent changes; when change returns an entry naming changed
	// fields it writes the office (only its name may change) with the version
	// incremented and UpdatedAt set to the entry's time, and appends the entry.
	// It returns the office as stored after the call.
	UpdateOffice(ctx context.Context, tenantID, id string, change func(*Office) (audit.Entry, error)) (Office, error)
	// MoveOffice puts the office at version under parentID ("" makes it a
	// root), with its whole subtree. A parent in the office's own subtree (the
	// office itself included) fails with clientele.ErrPrecondition; another
	// version with clientele.ErrConflict.
	MoveOffice(ctx context.Context, tenantID, id string, version int64, parentID string, entry audit.Entry) (Office, error)
	// CloseOffice closes the office at version. An office with an open child
	// office or an active associate fails with clientele.ErrPrecondition
	// saying which; a closed one too.
	CloseOffice(ctx context.Context, tenantID, id string, version int64, entry audit.Entry) (Office, error)

	// InsertClassification stores a new classification; a name the tenant
	// already uses fails with clientele.ErrConflict.
	InsertClassification(ctx context.Context, c Classification, entry audit.Entry) error
	// Classification returns one classification, or clientele.ErrNotFound.
	Classification(ctx context.Context, tenantID, id string) (Classification, error)
	// Classifications returns at most limit classifications whose ID sorts
	// after after, in ID order.
	Classifications(ctx context.Context, tenantID, after string, limit int) ([]Classification, error)

	// InsertAssociate stores a new active associate at version 1. Its office
	// must be open, its classification must exist, and its parent, when set,
	// must be active.
	InsertAssociate(ctx context.Context, a Associate, entry audit.Entry) error
	// Associate returns one associate, or clientele.ErrNotFound.
	Associate(ctx context.Context, tenantID, id string) (Associate, error)
	// Associates returns at most limit associates of the hierarchy under
	// rootID (rootID and every associate below it; the whole tenant when
	// rootID is "") whose ID sorts after after, in ID order.
	Associates(ctx context.Context, tenantID, rootID, after string, limit int) ([]Associate, error)
	// UpdateAssociate is UpdateOffice for an associate: name, email, phone,
	// agent, state and data may change; office and parent may not (see
	// TransferAssociate and MoveAssociate).
	UpdateAssociate(ctx context.Context, tenantID, id string, change func(*Associate) (audit.Entry, error)) (Associate, error)
	// TransferAssociate moves the active associate at version to the open
	// office officeID.
	TransferAssociate(ctx context.Context, tenantID, id string, version int64, officeID string, entry audit.Entry) (Associate, error)
	// MoveAssociate puts the associate at version under parentID ("" makes
	// it a root), with every associate below it. A parent below the
	// associate (or the associate itself) fails with clientele.ErrPrecondition.
	MoveAssociate(ctx context.Context, tenantID, id string, version int64, parentID string, entry audit.Entry) (Associate, error)

	// Link links the active associate l.AssociateID to l.Entity. Linking a
	// pair already linked changes nothing and returns the existing link with
	// created false (no audit entry is written).
	Link(ctx context.Context, l Link, entry audit.Entry) (stored Link, created bool, err error)
	// Unlink removes the link of associateID to e and reports whether there
	// was one; entry is written only when there was.
	Unlink(ctx context.Context, tenantID, associateID string, e Entity, entry audit.Entry) (bool, error)
	// EntityLinks returns at most limit links to e whose ID sorts after
	// after, in ID order.
	EntityLinks(ctx context.Context, tenantID string, e Entity, after string, limit int) ([]Link, error)
	// AssociateLinks returns at most limit links of the associate whose ID
	// sorts after after, in ID order. An unknown associate is
	// clientele.ErrNotFound.
	AssociateLinks(ctx context.Context, tenantID, associateID, after string, limit int) ([]Link, error)
}
