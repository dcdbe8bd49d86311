package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
)

// AssociateStore keeps a tenant's offices, classifications, associates and
// links. Offices and associates form trees stored as materialized paths
// ('/' then the IDs from the root down, each followed by '/'), so a subtree is
// one range on the (tenant_id, path) index:
//
//	path >= '/a/b/' AND path < '/a/b0'
//
// ('0' is the byte after '/'), which is exactly the paths starting with
// '/a/b/' under bytewise comparison (SQLite's BINARY, PostgreSQL's "C"
// collation the columns declare). A range needs no LIKE pattern, so no
// wildcard in an ID could widen it; the IDs are UUIDv7 in any case, and hold
// no '%', '_' or '/'.
//
// Changes to a tree's shape (adding under a parent, moving, closing) take a
// per-tenant lock of that tree for their transaction: an advisory
// transaction lock on PostgreSQL, the database write lock every SQLite write
// transaction takes at BEGIN. Two moves that would together form a cycle
// therefore run one after the other, and the second sees the first.
type AssociateStore struct{ db *DB }

var _ associates.Store = (*AssociateStore)(nil)

// Associates returns the associate store.
func (db *DB) Associates() *AssociateStore { return &AssociateStore{db: db} }

type officeRow struct {
	bun.BaseModel `bun:"table:offices"`

	TenantID  string    `bun:"tenant_id,pk"`
	ID        string    `bun:"id,pk"`
	ParentID  string    `bun:"parent_id,nullzero"`
	Name      string    `bun:"name"`
	Path      string    `bun:"path"`
	State     string    `bun:"state"`
	Version   int64     `bun:"version"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func (r officeRow) office() associates.Office {
	return associates.Office{ID: r.ID, TenantID: r.TenantID, ParentID: r.ParentID, Name: r.Name,
		State: associates.OfficeState(r.State), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type classificationRow struct {
	bun.BaseModel `bun:"table:associate_classifications"`

	TenantID  string    `bun:"tenant_id,pk"`
	ID        string    `bun:"id,pk"`
	Name      string    `bun:"name"`
	Scope     string    `bun:"scope"`
	Fields    string    `bun:"fields"`
	Version   int64     `bun:"version"`
	CreatedAt time.Time `bun:"created_at"`
}

func (r classificationRow) classification() (associates.Classification, error) {
	c := associates.Classification{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Scope: associates.ScopeMode(r.Scope),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Fields), &c.Fields); err != nil {
		return associates.Classification{}, fmt.Errorf("storage: classification %s: corrupt fields: %w", r.ID, err)
	}
	if c.Fields == nil {
		c.Fields = []associates.Field{}
	}
	return c, nil
}

type associateRow struct {
	bun.BaseModel `bun:"table:associates"`

	TenantID         string    `bun:"tenant_id,pk"`
	ID               string    `bun:"id,pk"`
	OfficeID         string    `bun:"office_id"`
	ClassificationID string    `bun:"classification_id"`
	ParentID         string    `bun:"parent_id,nullzero"`
	Path             string    `bun:"path"`
	Name             string    `bun:"name"`
	Email            string    `bun:"email"`
	Phone            string    `bun:"phone"`
	Agent            bool      `bun:"agent"`
	State            string    `bun:"state"`
	Data             string    `bun:"data"`
	Version          int64     `bun:"version"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

func (r associateRow) associate() (associates.Associate, error) {
	a := associates.Associate{ID: r.ID, TenantID: r.TenantID, OfficeID: r.OfficeID, ClassificationID: r.ClassificationID,
		ParentID: r.ParentID, Name: r.Name, Email: r.Email, Phone: r.Phone, Agent: r.Agent, State: associates.State(r.State),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Data), &a.Data); err != nil {
		return associates.Associate{}, fmt.Errorf("storage: associate %s: corrupt data: %w", r.ID, err)
	}
	if a.Data == nil {
		a.Data = map[string]any{}
	}
	return a, nil
}

func toAssociateRow(a associates.Associate, path string) (associateRow, error) {
	data := a.Data
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return associateRow{}, fmt.Errorf("storage: associate %s: data: %w: %w", a.ID, clientele.ErrInvalid, err)
	}
	return associateRow{TenantID: a.TenantID, ID: a.ID, OfficeID: a.OfficeID, ClassificationID: a.ClassificationID,
		ParentID: a.ParentID, Path: path, Name: a.Name, Email: a.Email, Phone: a.Phone, Agent: a.Agent, State: string(a.State),
		Data: string(raw), Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}, nil
}

type linkRow struct {
	bun.BaseModel `bun:"table:associate_links"`

	TenantID    string    `bun:"tenant_id,pk"`
	ID          string    `bun:"id,pk"`
	AssociateID string    `bun:"associate_id"`
	EntityKind  string    `bun:"entity_kind"`
	EntityID    string    `bun:"entity_id"`
	CreatedAt   time.Time `bun:"created_at"`
}

func (r linkRow) link() associates.Link {
	return associates.Link{ID: r.ID, TenantID: r.TenantID, AssociateID: r.AssociateID,
		Entity: associates.Entity{Kind: associates.EntityKind(r.EntityKind), ID: r.EntityID}, CreatedAt: r.CreatedAt.UTC()}
}

// The trees a tenant has, for treeLock.
const (
	officeTree    = "offices"
	associateTree = "associates"
)

// treeLock serializes the changes to the shape of one tree of one tenant
// until tx ends. SQLite needs nothing: its write transactions (BEGIN
// IMMEDIATE) already run one at a time.
func (s *AssociateStore) treeLock(ctx context.Context, tx bun.Tx, tree, tenantID string) error {
	if s.db.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "clientele."+tree+":"+tenantID)
	return translate(err)
}

// forShare holds the rows q reads against a concurrent FOR UPDATE until the
// transaction ends (PostgreSQL; SQLite serializes writers anyway).
func (s *AssociateStore) forShare(q *bun.SelectQuery) *bun.SelectQuery {
	if s.db.dialect == Postgres {
		return q.For("SHARE")
	}
	return q
}

// subtree limits q to the rows whose path starts with path.
func subtree(q *bun.SelectQuery, path string) *bun.SelectQuery {
	return q.Where("path >= ?", path).Where("path < ?", strings.TrimSuffix(path, "/")+"0")
}

// rewritePaths replaces the prefix oldPath of every path in its subtree by
// newPath, in one statement.
func rewritePaths(ctx context.Context, tx bun.Tx, table, tenantID, oldPath, newPath string) error {
	_, err := tx.NewUpdate().Table(table).
		Set("path = ? || substr(path, ?)", newPath, len(oldPath)+1).
		Where("tenant_id = ?", tenantID).
		Where("path >= ?", oldPath).Where("path < ?", strings.TrimSuffix(oldPath, "/")+"0").
		Exec(ctx)
	return translate(err)
}

// listNodes scans into rows (a *[]officeRow or *[]associateRow) up to limit
// nodes of the tenant's tree, in id order after the id after, within the
// subtree of rootPath when it is set: one range on the path index.
func (s *AssociateStore) listNodes(ctx context.Context, rows any, tenantID, rootPath, after string, limit int) error {
	q := s.db.bun.NewSelect().Model(rows).Where("tenant_id = ?", tenantID).OrderExpr("id").Limit(int64(limit))
	if rootPath != "" {
		q = subtree(q, rootPath)
	}
	if after != "" {
		q = q.Where("id > ?", after)
	}
	return translate(q.Scan(ctx))
}

// move is the move of one node of either tree, read (and locked) at version
// with its path and parent: the caller has checked the new parent.
type move struct {
	model                        any // (*officeRow)(nil) or (*associateRow)(nil)
	table, what, auditType       string
	tenantID, id, path, parentID string
	version                      int64
}

// to puts the node under the parent at parentPath ("" for a root) within tx:
// it rewrites its subtree's paths in one statement, bumps its version (still
// guarded by the version read) and writes entry with the parent before and
// after. It returns the time the change is stamped with.
func (m move) to(ctx context.Context, tx bun.Tx, parentID, parentPath string, entry audit.Entry) (time.Time, error) {
	newPath := "/" + m.id + "/"
	if parentID != "" {
		newPath = parentPath + m.id + "/"
	}
	if err := rewritePaths(ctx, tx, m.table, m.tenantID, m.path, newPath); err != nil {
		return time.Time{}, fmt.Errorf("storage: move %s %s: %w", m.what, m.id, err)
	}
	at := entry.At.UTC().Truncate(time.Microsecond)
	res, err := tx.NewUpdate().Model(m.model).
		Set("parent_id = ?", nullIfEmpty(parentID)).Set("version = ?", m.version+1).Set("updated_at = ?", at).
		Where("tenant_id = ?", m.tenantID).Where("id = ?", m.id).Where("version = ?", m.version).Exec(ctx)
	if err := oneRow(res, err, m.what, m.id); err != nil {
		return time.Time{}, err
	}
	entry.TenantID, entry.EntityType, entry.EntityID = m.tenantID, m.auditType, m.id
	beforeAfter(&entry, "parentId", m.parentID, parentID)
	return at, appendAudit(ctx, tx, entry)
}

func refMissing(field, what string) error {
	return clientele.NewValidationError(field, "exists", "names no "+what+" of this tenant")
}

func beforeAfter(entry *audit.Entry, field, before, after string) {
	entry.Before, _ = json.Marshal(map[string]string{field: before})
	entry.After, _ = json.Marshal(map[string]string{field: after})
}

// ---- Offices ----

func (s *AssociateStore) office(ctx context.Context, db bun.IDB, tenantID, id string, lock func(*bun.SelectQuery) *bun.SelectQuery) (officeRow, error) {
	var row officeRow
	q := db.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id)
	if lock != nil {
		q = lock(q)
	}
	if err := q.Scan(ctx); err != nil {
		return officeRow{}, fmt.Errorf("storage: office %s: %w", id, translate(err))
	}
	return row, nil
}

// InsertOffice implements associates.Store.
func (s *AssociateStore) InsertOffice(ctx context.Context, o associates.Office, entry audit.Entry) error {
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		path := "/" + o.ID + "/"
		if o.ParentID != "" {
			if err := s.treeLock(ctx, tx, officeTree, o.TenantID); err != nil {
				return err
			}
			parent, err := s.office(ctx, tx, o.TenantID, o.ParentID, nil)
			if clientele.Kind(err) == clientele.ErrNotFound {
				return refMissing("parentId", "office")
			} else if err != nil {
				return err
			}
			if parent.State != string(associates.OfficeOpen) {
				return fmt.Errorf("the parent office %s is closed: %w", parent.ID, clientele.ErrPrecondition)
			}
			path = parent.Path + o.ID + "/"
		}
		row := officeRow{TenantID: o.TenantID, ID: o.ID, ParentID: o.ParentID, Name: o.Name, Path: path,
			State: string(associates.OfficeOpen), Version: 1, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("storage: create office: %w", translate(err))
		}
		return appendAudit(ctx, tx, entry)
	})
}

// Office implements associates.Store.
func (s *AssociateStore) Office(ctx context.Context, tenantID, id string) (associates.Office, error) {
	row, err := s.office(ctx, s.db.bun, tenantID, id, nil)
	if err != nil {
		return associates.Office{}, err
	}
	return row.office(), nil
}

// Offices implements associates.Store: one range on the path index when
// rootID is set.
func (s *AssociateStore) Offices(ctx context.Context, tenantID, rootID, after string, limit int) ([]associates.Office, error) {
	if limit <= 0 {
		return []associates.Office{}, nil
	}
	var rows []officeRow
	var rootPath string
	if rootID != "" {
		root, err := s.office(ctx, s.db.bun, tenantID, rootID, nil)
		if err != nil {
			return nil, err
		}
		rootPath = root.Path
	}
	if err := s.listNodes(ctx, &rows, tenantID, rootPath, after, limit); err != nil {
		return nil, fmt.Errorf("storage: list offices: %w", err)
	}
	out := make([]associates.Office, len(rows))
	for i, r := range rows {
		out[i] = r.office()
	}
	return out, nil
}

// UpdateOffice implements associates.Store.
func (s *AssociateStore) UpdateOffice(ctx context.Context, tenantID, id string, change func(*associates.Office) (audit.Entry, error)) (associates.Office, error) {
	var out associates.Office
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		row, err := s.office(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		cur, next := row.office(), row.office()
		entry, err := change(&next)
		if err != nil {
			return err
		}
		if len(entry.Changed) == 0 {
			out = cur
			return nil
		}
		if next.ID != cur.ID || next.TenantID != cur.TenantID || next.ParentID != cur.ParentID || next.State != cur.State {
			return fmt.Errorf("storage: office %s: only the name changes here: %w", id, clientele.ErrInvalid)
		}
		at := entry.At.UTC().Truncate(time.Microsecond)
		res, err := tx.NewUpdate().Model((*officeRow)(nil)).
			Set("name = ?", next.Name).Set("version = ?", cur.Version+1).Set("updated_at = ?", at).
			Where("tenant_id = ?", tenantID).Where("id = ?", id).Where("version = ?", cur.Version).Exec(ctx)
		if err := oneRow(res, err, "office", id); err != nil {
			return err
		}
		entry.TenantID, entry.EntityType, entry.EntityID = tenantID, associates.AuditOffice, id
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		next.Version, next.UpdatedAt = cur.Version+1, at
		out = next
		return nil
	})
	return out, err
}

// oneRow checks that an update guarded by the version read changed its row.
func oneRow(res interface{ RowsAffected() (int64, error) }, err error, what, id string) error {
	if err != nil {
		return fmt.Errorf("storage: update %s %s: %w", what, id, translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("storage: update %s %s: changed concurrently: %w", what, id, clientele.ErrConflict)
	}
	return nil
}

// MoveOffice implements associates.Store: the office's path prefix is
// rewritten across its whole subtree in one statement.
func (s *AssociateStore) MoveOffice(ctx context.Context, tenantID, id string, version int64, parentID string, entry audit.Entry) (associates.Office, error) {
	var out associates.Office
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		if err := s.treeLock(ctx, tx, officeTree, tenantID); err != nil {
			return err
		}
		row, err := s.office(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		if row.Version != version {
			return fmt.Errorf("version %d is stale, the office is at version %d: %w", version, row.Version, clientele.ErrConflict)
		}
		if row.ParentID == parentID {
			out = row.office()
			return nil
		}
		var parentPath string
		if parentID != "" {
			parent, err := s.office(ctx, tx, tenantID, parentID, nil)
			if clientele.Kind(err) == clientele.ErrNotFound {
				return refMissing("parentId", "office")
			} else if err != nil {
				return err
			}
			if strings.HasPrefix(parent.Path, row.Path) {
				return fmt.Errorf("office %s is in the subtree of office %s: an office cannot move under itself: %w", parentID, id, clientele.ErrPrecondition)
			}
			if parent.State != string(associates.OfficeOpen) {
				return fmt.Errorf("the parent office %s is closed: %w", parentID, clientele.ErrPrecondition)
			}
			parentPath = parent.Path
		}
		mv := move{model: (*officeRow)(nil), table: officeTree, what: "office", auditType: associates.AuditOffice,
			tenantID: tenantID, id: id, path: row.Path, parentID: row.ParentID, version: row.Version}
		at, err := mv.to(ctx, tx, parentID, parentPath, entry)
		if err != nil {
			return err
		}
		row.ParentID, row.Version, row.UpdatedAt = parentID, row.Version+1, at
		out = row.office()
		return nil
	})
	return out, err
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CloseOffice implements associates.Store.
func (s *AssociateStore) CloseOffice(ctx context.Context, tenantID, id string, version int64, entry audit.Entry) (associates.Office, error) {
	var out associates.Office
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		if err := s.treeLock(ctx, tx, officeTree, tenantID); err != nil {
			return err
		}
		row, err := s.office(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		if row.Version != version {
			return fmt.Errorf("version %d is stale, the office is at version %d: %w", version, row.Version, clientele.ErrConflict)
		}
		if row.State != string(associates.OfficeOpen) {
			return fmt.Errorf("the office is closed already: %w", clientele.ErrPrecondition)
		}
		children, err := tx.NewSelect().Model((*officeRow)(nil)).Where("tenant_id = ?", tenantID).
			Where("parent_id = ?", id).Where("state = ?", string(associates.OfficeOpen)).Count(ctx)
		if err != nil {
			return translate(err)
		}
		staff, err := tx.NewSelect().Model((*associateRow)(nil)).Where("tenant_id = ?", tenantID).
			Where("office_id = ?", id).Where("state = ?", string(associates.Active)).Count(ctx)
		if err != nil {
			return translate(err)
		}
		switch {
		case children > 0 && staff > 0:
			return fmt.Errorf("the office has %d open child offices and %d active associates: %w", children, staff, clientele.ErrPrecondition)
		case children > 0:
			return fmt.Errorf("the office has %d open child offices: %w", children, clientele.ErrPrecondition)
		case staff > 0:
			return fmt.Errorf("the office has %d active associates: %w", staff, clientele.ErrPrecondition)
		}
		at := entry.At.UTC().Truncate(time.Microsecond)
		res, err := tx.NewUpdate().Model((*officeRow)(nil)).
			Set("state = ?", string(associates.OfficeClosed)).Set("version = ?", row.Version+1).Set("updated_at = ?", at).
			Where("tenant_id = ?", tenantID).Where("id = ?", id).Where("version = ?", row.Version).Exec(ctx)
		if err := oneRow(res, err, "office", id); err != nil {
			return err
		}
		entry.TenantID, entry.EntityType, entry.EntityID = tenantID, associates.AuditOffice, id
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		row.State, row.Version, row.UpdatedAt = string(associates.OfficeClosed), row.Version+1, at
		out = row.office()
		return nil
	})
	return out, err
}

// ---- Classifications ----

// InsertClassification implements associates.Store.
func (s *AssociateStore) InsertClassification(ctx context.Context, c associates.Classification, entry audit.Entry) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("storage: create classification: %w", err)
	}
	fields := c.Fields
	if fields == nil {
		fields = []associates.Field{}
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	row := classificationRow{TenantID: c.TenantID, ID: c.ID, Name: c.Name, Scope: string(c.Scope), Fields: string(raw),
		Version: 1, CreatedAt: c.CreatedAt.UTC()}
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("storage: create classification %q: %w", c.Name, translate(err))
		}
		return appendAudit(ctx, tx, entry)
	})
}

// Classification implements associates.Store.
func (s *AssociateStore) Classification(ctx context.Context, tenantID, id string) (associates.Classification, error) {
	return s.classification(ctx, s.db.bun, tenantID, id)
}

func (s *AssociateStore) classification(ctx context.Context, db bun.IDB, tenantID, id string) (associates.Classification, error) {
	var row classificationRow
	if err := db.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id).Scan(ctx); err != nil {
		return associates.Classification{}, fmt.Errorf("storage: classification %s: %w", id, translate(err))
	}
	return row.classification()
}

// Classifications implements associates.Store.
func (s *AssociateStore) Classifications(ctx context.Context, tenantID, after string, limit int) ([]associates.Classification, error) {
	if limit <= 0 {
		return []associates.Classification{}, nil
	}
	var rows []classificationRow
	q := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("id").Limit(int64(limit))
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("storage: list classifications: %w", translate(err))
	}
	out := make([]associates.Classification, 0, len(rows))
	for _, r := range rows {
		c, err := r.classification()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ---- Associates ----

func (s *AssociateStore) associate(ctx context.Context, db bun.IDB, tenantID, id string, lock func(*bun.SelectQuery) *bun.SelectQuery) (associateRow, error) {
	var row associateRow
	q := db.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Where("id = ?", id)
	if lock != nil {
		q = lock(q)
	}
	if err := q.Scan(ctx); err != nil {
		return associateRow{}, fmt.Errorf("storage: associate %s: %w", id, translate(err))
	}
	return row, nil
}

// openOffice reads the office an associate is put in, held against a
// concurrent close until tx ends.
func (s *AssociateStore) openOffice(ctx context.Context, tx bun.Tx, tenantID, id string) error {
	o, err := s.office(ctx, tx, tenantID, id, s.forShare)
	if clientele.Kind(err) == clientele.ErrNotFound {
		return refMissing("officeId", "office")
	} else if err != nil {
		return err
	}
	if o.State != string(associates.OfficeOpen) {
		return fmt.Errorf("office %s is closed: %w", id, clientele.ErrPrecondition)
	}
	return nil
}

// activeParent reads the parent an associate is put under.
func (s *AssociateStore) activeParent(ctx context.Context, tx bun.Tx, tenantID, id string) (associateRow, error) {
	parent, err := s.associate(ctx, tx, tenantID, id, s.forShare)
	if clientele.Kind(err) == clientele.ErrNotFound {
		return associateRow{}, refMissing("parentId", "associate")
	} else if err != nil {
		return associateRow{}, err
	}
	if parent.State != string(associates.Active) {
		return associateRow{}, fmt.Errorf("the parent associate %s is inactive: %w", id, clientele.ErrPrecondition)
	}
	return parent, nil
}

// InsertAssociate implements associates.Store.
func (s *AssociateStore) InsertAssociate(ctx context.Context, a associates.Associate, entry audit.Entry) error {
	return s.db.inTx(ctx, func(tx bun.Tx) error {
		if err := s.openOffice(ctx, tx, a.TenantID, a.OfficeID); err != nil {
			return err
		}
		if _, err := s.classification(ctx, tx, a.TenantID, a.ClassificationID); err != nil {
			if clientele.Kind(err) == clientele.ErrNotFound {
				return refMissing("classificationId", "classification")
			}
			return err
		}
		path := "/" + a.ID + "/"
		if a.ParentID != "" {
			if err := s.treeLock(ctx, tx, associateTree, a.TenantID); err != nil {
				return err
			}
			parent, err := s.activeParent(ctx, tx, a.TenantID, a.ParentID)
			if err != nil {
				return err
			}
			path = parent.Path + a.ID + "/"
		}
		a.State, a.Version = associates.Active, 1
		row, err := toAssociateRow(a, path)
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("storage: create associate: %w", translate(err))
		}
		return appendAudit(ctx, tx, entry)
	})
}

// Associate implements associates.Store.
func (s *AssociateStore) Associate(ctx context.Context, tenantID, id string) (associates.Associate, error) {
	row, err := s.associate(ctx, s.db.bun, tenantID, id, nil)
	if err != nil {
		return associates.Associate{}, err
	}
	return row.associate()
}

// Associates implements associates.Store: one range on the path index when
// rootID is set.
func (s *AssociateStore) Associates(ctx context.Context, tenantID, rootID, after string, limit int) ([]associates.Associate, error) {
	if limit <= 0 {
		return []associates.Associate{}, nil
	}
	var rows []associateRow
	var rootPath string
	if rootID != "" {
		root, err := s.associate(ctx, s.db.bun, tenantID, rootID, nil)
		if err != nil {
			return nil, err
		}
		rootPath = root.Path
	}
	if err := s.listNodes(ctx, &rows, tenantID, rootPath, after, limit); err != nil {
		return nil, fmt.Errorf("storage: list associates: %w", err)
	}
	out := make([]associates.Associate, 0, len(rows))
	for _, r := range rows {
		a, err := r.associate()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// UpdateAssociate implements associates.Store.
func (s *AssociateStore) UpdateAssociate(ctx context.Context, tenantID, id string, change func(*associates.Associate) (audit.Entry, error)) (associates.Associate, error) {
	var out associates.Associate
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		row, err := s.associate(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		cur, err := row.associate()
		if err != nil {
			return err
		}
		next, err := row.associate() // a second copy: change may not touch cur
		if err != nil {
			return err
		}
		entry, err := change(&next)
		if err != nil {
			return err
		}
		if len(entry.Changed) == 0 {
			out = cur
			return nil
		}
		if next.ID != cur.ID || next.TenantID != cur.TenantID || next.OfficeID != cur.OfficeID ||
			next.ClassificationID != cur.ClassificationID || next.ParentID != cur.ParentID {
			return fmt.Errorf("storage: associate %s: office, classification and parent do not change here: %w", id, clientele.ErrInvalid)
		}
		if next.State != cur.State && next.State != associates.Inactive {
			return fmt.Errorf("storage: associate %s: an associate is only ever deactivated: %w", id, clientele.ErrInvalid)
		}
		at := entry.At.UTC().Truncate(time.Microsecond)
		next.Version, next.UpdatedAt = cur.Version+1, at
		nrow, err := toAssociateRow(next, row.Path)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(&nrow).
			Column("name", "email", "phone", "agent", "state", "data", "version", "updated_at").
			WherePK().Where("version = ?", cur.Version).Exec(ctx)
		if err := oneRow(res, err, "associate", id); err != nil {
			return err
		}
		entry.TenantID, entry.EntityType, entry.EntityID = tenantID, associates.AuditAssociate, id
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// TransferAssociate implements associates.Store.
func (s *AssociateStore) TransferAssociate(ctx context.Context, tenantID, id string, version int64, officeID string, entry audit.Entry) (associates.Associate, error) {
	var out associates.Associate
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		row, err := s.associate(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		if row.Version != version {
			return fmt.Errorf("version %d is stale, the associate is at version %d: %w", version, row.Version, clientele.ErrConflict)
		}
		if row.State != string(associates.Active) {
			return fmt.Errorf("the associate is inactive: %w", clientele.ErrPrecondition)
		}
		if err := s.openOffice(ctx, tx, tenantID, officeID); err != nil {
			return err
		}
		if row.OfficeID == officeID {
			out, err = row.associate()
			return err
		}
		at := entry.At.UTC().Truncate(time.Microsecond)
		res, err := tx.NewUpdate().Model((*associateRow)(nil)).
			Set("office_id = ?", officeID).Set("version = ?", row.Version+1).Set("updated_at = ?", at).
			Where("tenant_id = ?", tenantID).Where("id = ?", id).Where("version = ?", row.Version).Exec(ctx)
		if err := oneRow(res, err, "associate", id); err != nil {
			return err
		}
		entry.TenantID, entry.EntityType, entry.EntityID = tenantID, associates.AuditAssociate, id
		beforeAfter(&entry, "officeId", row.OfficeID, officeID)
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		row.OfficeID, row.Version, row.UpdatedAt = officeID, row.Version+1, at
		out, err = row.associate()
		return err
	})
	return out, err
}

// MoveAssociate implements associates.Store: the associate's path prefix is
// rewritten across everyone below it in one statement.
func (s *AssociateStore) MoveAssociate(ctx context.Context, tenantID, id string, version int64, parentID string, entry audit.Entry) (associates.Associate, error) {
	var out associates.Associate
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		if err := s.treeLock(ctx, tx, associateTree, tenantID); err != nil {
			return err
		}
		row, err := s.associate(ctx, tx, tenantID, id, s.db.forUpdate)
		if err != nil {
			return err
		}
		if row.Version != version {
			return fmt.Errorf("version %d is stale, the associate is at version %d: %w", version, row.Version, clientele.ErrConflict)
		}
		if row.ParentID == parentID {
			out, err = row.associate()
			return err
		}
		var parentPath string
		if parentID != "" {
			if parentID == id {
				return fmt.Errorf("an associate cannot be its own parent: %w", clientele.ErrPrecondition)
			}
			parent, err := s.activeParent(ctx, tx, tenantID, parentID)
			if err != nil {
				return err
			}
			if strings.HasPrefix(parent.Path, row.Path) {
				return fmt.Errorf("associate %s is below associate %s: the hierarchy would have a cycle: %w", parentID, id, clientele.ErrPrecondition)
			}
			parentPath = parent.Path
		}
		mv := move{model: (*associateRow)(nil), table: associateTree, what: "associate", auditType: associates.AuditAssociate,
			tenantID: tenantID, id: id, path: row.Path, parentID: row.ParentID, version: row.Version}
		at, err := mv.to(ctx, tx, parentID, parentPath, entry)
		if err != nil {
			return err
		}
		row.ParentID, row.Version, row.UpdatedAt = parentID, row.Version+1, at
		out, err = row.associate()
		return err
	})
	return out, err
}

// ---- Links ----

// Link implements associates.Store.
func (s *AssociateStore) Link(ctx context.Context, l associates.Link, entry audit.Entry) (associates.Link, bool, error) {
	var out associates.Link
	var created bool
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		a, err := s.associate(ctx, tx, l.TenantID, l.AssociateID, s.forShare)
		if err != nil {
			return err
		}
		if a.State != string(associates.Active) {
			return fmt.Errorf("associate %s is inactive: %w", l.AssociateID, clientele.ErrPrecondition)
		}
		row := linkRow{TenantID: l.TenantID, ID: l.ID, AssociateID: l.AssociateID, EntityKind: string(l.Entity.Kind),
			EntityID: l.Entity.ID, CreatedAt: l.CreatedAt.UTC()}
		res, err := tx.NewInsert().Model(&row).
			On("CONFLICT (tenant_id, entity_kind, entity_id, associate_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storage: link: %w", translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return translate(err)
		} else if n == 0 {
			var cur linkRow
			if err := tx.NewSelect().Model(&cur).Where("tenant_id = ?", l.TenantID).Where("entity_kind = ?", row.EntityKind).
				Where("entity_id = ?", row.EntityID).Where("associate_id = ?", row.AssociateID).Scan(ctx); err != nil {
				return fmt.Errorf("storage: link: %w", translate(err))
			}
			out = cur.link()
			return nil
		}
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		out, created = row.link(), true
		return nil
	})
	return out, created, err
}

// Unlink implements associates.Store.
func (s *AssociateStore) Unlink(ctx context.Context, tenantID, associateID string, e associates.Entity, entry audit.Entry) (bool, error) {
	var removed bool
	err := s.db.inTx(ctx, func(tx bun.Tx) error {
		if _, err := s.associate(ctx, tx, tenantID, associateID, nil); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*linkRow)(nil)).Where("tenant_id = ?", tenantID).
			Where("entity_kind = ?", string(e.Kind)).Where("entity_id = ?", e.ID).Where("associate_id = ?", associateID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("storage: unlink: %w", translate(err))
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return translate(err)
		}
		removed = true
		return appendAudit(ctx, tx, entry)
	})
	return removed, err
}

func (s *AssociateStore) links(ctx context.Context, q *bun.SelectQuery, rows *[]linkRow, after string, limit int) ([]associates.Link, error) {
	q = q.OrderExpr("id").Limit(int64(limit))
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("storage: list links: %w", translate(err))
	}
	out := make([]associates.Link, len(*rows))
	for i, r := range *rows {
		out[i] = r.link()
	}
	return out, nil
}

// EntityLinks implements associates.Store.
func (s *AssociateStore) EntityLinks(ctx context.Context, tenantID string, e associates.Entity, after string, limit int) ([]associates.Link, error) {
	if limit <= 0 {
		return []associates.Link{}, nil
	}
	var rows []linkRow
	q := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		Where("entity_kind = ?", string(e.Kind)).Where("entity_id = ?", e.ID)
	return s.links(ctx, q, &rows, after, limit)
}

// AssociateLinks implements associates.Store.
func (s *AssociateStore) AssociateLinks(ctx context.Context, tenantID, associateID, after string, limit int) ([]associates.Link, error) {
	if limit <= 0 {
		return []associates.Link{}, nil
	}
	if _, err := s.associate(ctx, s.db.bun, tenantID, associateID, nil); err != nil {
		return nil, err
	}
	var rows []linkRow
	q := s.db.bun.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).Where("associate_id = ?", associateID)
	return s.links(ctx, q, &rows, after, limit)
}
