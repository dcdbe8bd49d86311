package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/clients"
)

// The data scope of clients (issue 11) as SQL. A scope becomes one more
// condition of the query that lists, reads or locks clients, never a filter
// applied to its results:
//
//   - an office subtree (scope mode branch): the client's office is among the
//     offices whose path lies in the range of the scope office's path, the
//     same one-range look-up on the (tenant_id, path) index as
//     AssociateStore.Offices;
//   - a link subtree (scope mode restricted): the client's ID is the entity of
//     a client link of an associate whose path lies in the range of the scope
//     associate's path.
//
// Both read the trees as they are when the query runs, so a moved office or a
// transferred associate changes what a principal sees at once.
//
// A single client (Get, Update: found by its reference) takes these forms on
// both dialects, and so does every list on SQLite. A list (a page of many
// clients, newest first) on PostgreSQL takes one of two other forms of the
// same condition: the subtree's clients first (scopeOfficeFirst,
// scopeLinksFirst) or a walk of the tenant's clients (scopeOfficeWalk,
// scopeLinksWalk).
// The planner cannot estimate how many clients a subtree holds (its path
// range is only known when the statement runs) and guesses thousands, so it
// walks the clients newest first and probes each against the subtree. That is
// right for a subtree that holds a large share of the tenant (a page is found
// after a few hundred clients) and ruinous for a small one (an agent with
// 1,000 clients of 1,000,000: seconds, every client of the tenant probed).
// The "first" forms collect the subtree's client IDs first, from indexes
// alone (clients_tenant_office, associate_links_associate), and read the page
// by primary key: their cost follows the size of the subtree, not of the
// tenant. Search counts the subtree's clients (or links), up to
// scopeDriveMax (linkWalkCost times as many links), to choose (scopeFormOf).
// BENCHMARKS.md ("Data scope at 1M clients") has the plans and figures.
const (
	// scopeOffice is the condition of an office subtree. Its placeholders:
	// the client's office column, then the tenant, the tenant and the scope
	// office, the tenant and the scope office. The bounds of the range are
	// scalar subqueries, computed once per statement; a missing office gives
	// NULL bounds, and so no client.
	scopeOffice = `? IN (SELECT so.id FROM offices AS so WHERE so.tenant_id = ?
	AND so.path >= (SELECT sr.path FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND so.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?))`
	// scopeLinks is the condition of a link subtree. Its placeholders: the
	// client's ID column, the tenant twice, then the tenant and the scope
	// associate, twice.
	scopeLinks = `? IN (SELECT sl.entity_id FROM associate_links AS sl
	JOIN associates AS sa ON sa.tenant_id = sl.tenant_id AND sa.id = sl.associate_id
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sa.tenant_id = ?
	AND sa.path >= (SELECT sr.path FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND sa.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?))`
	// scopeOfficeWalk is the condition of a large office subtree in a list
	// on PostgreSQL, with the placeholders of scopeOffice. As an IN, the
	// planner would read the subtree's clients office by office from
	// clients_tenant_office and sort them all (100,000 for a region); an
	// array of offices is estimated at a few offices' clients, and the
	// planner walks the clients newest first, probing each client's office.
	scopeOfficeWalk = `? = ANY (ARRAY(SELECT so.id FROM offices AS so WHERE so.tenant_id = ?
	AND so.path >= (SELECT sr.path FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND so.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)))`
	// scopeLinksWalk is the condition of a large link subtree in a list on
	// PostgreSQL. Its placeholders: the tenant, the client's ID column, then
	// the tenant and the scope associate, twice. As an IN, the planner may
	// read and sort every link of the subtree (150,000 for a regional
	// hierarchy) to merge them with the walk; OFFSET 0 keeps the EXISTS a
	// probe of each walked client: its links (associate_links_entity), each
	// link's associate in the range.
	scopeLinksWalk = `EXISTS (SELECT 1 FROM associate_links AS sl
	JOIN associates AS sa ON sa.tenant_id = sl.tenant_id AND sa.id = sl.associate_id
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sl.entity_id = ?
	AND sa.path >= (SELECT sr.path FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND sa.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	OFFSET 0)`
	// scopeOfficeFirst is the condition of a small office subtree in a list
	// on PostgreSQL. Its placeholders: the client's ID column, the tenant,
	// then those of scopeOffice after its first. The subtree's client IDs
	// form one array, computed once per statement.
	scopeOfficeFirst = `? = ANY (ARRAY(SELECT sc.id FROM clients AS sc WHERE sc.tenant_id = ?
	AND sc.office_id = ANY (ARRAY(SELECT so.id FROM offices AS so WHERE so.tenant_id = ?
	AND so.path >= (SELECT sr.path FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND so.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)))))`
	// scopeLinksFirst is the condition of a small link subtree in a list on
	// PostgreSQL, with the placeholders of scopeLinks: the linked IDs as one
	// array, computed once per statement (a client linked twice appears
	// twice; the primary-key look-up of id = ANY reads it once).
	scopeLinksFirst = `? = ANY (ARRAY(SELECT sl.entity_id FROM associates AS sa
	JOIN associate_links AS sl ON sl.tenant_id = sa.tenant_id AND sl.associate_id = sa.id
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sa.tenant_id = ?
	AND sa.path >= (SELECT sr.path FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND sa.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)))`
)

// scopeOfficeProbe and scopeLinksProbe are the conditions of a single
// client's read or lock (Get, Update): a probe of that client's office, or
// of its links, against the scope root's path range, written as scalar
// subqueries of one or two primary-key look-ups each, which the planner
// plans in a fraction of the time of the joins of scopeOffice and
// scopeLinks (0.1 ms instead of 0.25–0.35 ms on PostgreSQL, more than the
// statement takes to run). A missing scope root gives NULL: no client.
//
// scopeOfficeProbe's placeholders: the tenant, the client's office column,
// the tenant and the scope office. scopeLinksProbe's: the tenant, the
// client's ID column, the tenant and the scope associate, then the tail
// (probeTail): on PostgreSQL OFFSET 0, which keeps the EXISTS a probe of
// the client's links instead of a join the planner must weigh.
const (
	scopeOfficeProbe = `(SELECT so.path >= sr.path AND so.path < substr(sr.path, 1, length(sr.path) - 1) || '0'
	FROM offices AS so, offices AS sr WHERE so.tenant_id = ? AND so.id = ? AND sr.tenant_id = ? AND sr.id = ?)`
	scopeLinksProbe = `EXISTS (SELECT 1 FROM associate_links AS sl
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sl.entity_id = ?
	AND (SELECT sa.path >= sr.path AND sa.path < substr(sr.path, 1, length(sr.path) - 1) || '0'
	FROM associates AS sa, associates AS sr WHERE sa.tenant_id = sl.tenant_id AND sa.id = sl.associate_id
	AND sr.tenant_id = ? AND sr.id = ?)?)`
)

// scopeDriveMax is the number of clients of an office subtree from which a
// list walks the clients rather than reading the subtree's first: at that
// size both cost a few thousand index look-ups on a tenant of 1,000,000
// clients, and beyond it the walk finds a page sooner. A link subtree walks
// from linkWalkCost times as many links: each walked client costs a probe of
// its links and of their associates, not one comparison of its office.
const (
	scopeDriveMax = 5000
	linkWalkCost  = 4
)

// scopeForm is the form of a list's scope condition.
type scopeForm int

const (
	formOne         scopeForm = iota // scopeOffice, scopeLinks: any list on SQLite
	formProbe                        // scopeOfficeProbe, scopeLinksProbe: one client (by reference); see probeForm
	formWalk                         // a list that walks the clients: scopeOfficeWalk, scopeLinksWalk (PostgreSQL)
	formOfficeFirst                  // scopeOfficeFirst
	formLinksFirst                   // scopeLinksFirst
)

// countOffice and countLinks count the subtree's clients (office) or client
// links (associate) up to a limit, from indexes alone.
const (
	countOffice = `SELECT count(*) FROM (SELECT 1 FROM clients AS sc WHERE sc.tenant_id = ?
	AND sc.office_id = ANY (ARRAY(SELECT so.id FROM offices AS so WHERE so.tenant_id = ?
	AND so.path >= (SELECT sr.path FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND so.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM offices AS sr WHERE sr.tenant_id = ? AND sr.id = ?)))
	LIMIT ?) AS few`
	countLinks = `SELECT count(*) FROM (SELECT 1 FROM associates AS sa
	JOIN associate_links AS sl ON sl.tenant_id = sa.tenant_id AND sl.associate_id = sa.id
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sa.tenant_id = ?
	AND sa.path >= (SELECT sr.path FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND sa.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	LIMIT ?) AS few`
)

// scopeFormOf chooses the form of a list's condition for scope sc: on
// PostgreSQL, for a scope of one subtree (an office or an associate, not
// both) that holds fewer than scopeDriveMax clients (linkWalkCost times as
// many links), its clients first; otherwise the walk. It never changes what
// the list holds, so a subtree that changes between the count and the list
// only costs time, and so does a choice remembered for scopeFormTTL: a
// scope's next pages (and its other lists) skip the count.
func (s *ClientStore) scopeFormOf(ctx context.Context, tenantID string, sc clients.Scope) (scopeForm, error) {
	if s.db.dialect != Postgres {
		return formOne, nil
	}
	if sc.Tenant || (sc.OfficeID == "") == (sc.AssociateID == "") {
		return formWalk, nil
	}
	query, root, form, limit := countOffice, sc.OfficeID, formOfficeFirst, s.db.driveMax
	if sc.AssociateID != "" {
		query, root, form, limit = countLinks, sc.AssociateID, formLinksFirst, linkWalkCost*s.db.driveMax
	}
	key := scopeFormKey{tenantID: tenantID, scope: sc, limit: limit}
	if f, ok := s.db.scopeForms.get(key, s.db.now()); ok {
		return f, nil
	}
	var n int
	err := s.db.bun.NewRaw(query, tenantID, tenantID, tenantID, root, tenantID, root, limit).Scan(ctx, &n)
	if err != nil {
		return formWalk, fmt.Errorf("storage: size of scope %s: %w", root, translate(err))
	}
	if n >= limit {
		form = formWalk
	}
	s.db.scopeForms.put(key, form, s.db.now())
	return form, nil
}

// scopeFormTTL is how long a list's scope form is remembered, and
// scopeFormsMax how many scopes are: when full, the expired entries are
// dropped, and all of them if none has expired.
const (
	scopeFormTTL  = time.Minute
	scopeFormsMax = 10_000
)

type scopeFormKey struct {
	tenantID string
	scope    clients.Scope
	limit    int // the drive limit it was chosen under (the tests change it)
}

type scopeFormEntry struct {
	form scopeForm
	at   time.Time
}

// scopeForms remembers the form chosen for each scope (scopeFormOf); safe
// for concurrent use.
type scopeForms struct {
	mu sync.Mutex
	m  map[scopeFormKey]scopeFormEntry
}

func (c *scopeForms) get(k scopeFormKey, now time.Time) (scopeForm, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.Sub(e.at) >= scopeFormTTL || now.Before(e.at) {
		return 0, false
	}
	return e.form, true
}

func (c *scopeForms) put(k scopeFormKey, f scopeForm, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[scopeFormKey]scopeFormEntry{}
	}
	if len(c.m) >= scopeFormsMax {
		for key, e := range c.m {
			if now.Sub(e.at) >= scopeFormTTL {
				delete(c.m, key)
			}
		}
		if len(c.m) >= scopeFormsMax {
			clear(c.m)
		}
	}
	c.m[k] = scopeFormEntry{form: f, at: now}
}

// whereScope limits q, a query of the clients table under the SQL name table
// (a fixed identifier, never input), to the clients of scope sc. The zero
// Scope matches no row. form chooses the form of the condition (see
// scopeFormOf); it never changes what q matches.
func whereScope(q *bun.SelectQuery, table, tenantID string, sc clients.Scope, form scopeForm) *bun.SelectQuery {
	if sc.Tenant {
		return q
	}
	if sc.Empty() {
		return q.Where("1 = 0")
	}
	office, id := bun.Safe(table+".office_id"), bun.Safe(table+".id")
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		switch {
		case form == formProbe:
			if sc.OfficeID != "" {
				q = q.WhereOr(scopeOfficeProbe, tenantID, office, tenantID, sc.OfficeID)
			}
			if sc.AssociateID != "" {
				q = q.WhereOr(scopeLinksProbe, tenantID, id, tenantID, sc.AssociateID, probeTail(q))
			}
			return q
		case form == formOfficeFirst && sc.AssociateID == "":
			return q.Where(scopeOfficeFirst, id, tenantID, tenantID, tenantID, sc.OfficeID, tenantID, sc.OfficeID)
		case form == formLinksFirst && sc.OfficeID == "":
			return q.Where(scopeLinksFirst, id, tenantID, tenantID, tenantID, sc.AssociateID, tenantID, sc.AssociateID)
		case form == formWalk && sc.AssociateID == "":
			return q.Where(scopeOfficeWalk, office, tenantID, tenantID, sc.OfficeID, tenantID, sc.OfficeID)
		case form == formWalk && sc.OfficeID == "":
			return q.Where(scopeLinksWalk, tenantID, id, tenantID, sc.AssociateID, tenantID, sc.AssociateID)
		}
		if sc.OfficeID != "" {
			q = q.WhereOr(scopeOffice, office, tenantID, tenantID, sc.OfficeID, tenantID, sc.OfficeID)
		}
		if sc.AssociateID != "" {
			q = q.WhereOr(scopeLinks, id, tenantID, tenantID, tenantID, sc.AssociateID, tenantID, sc.AssociateID)
		}
		return q
	})
}

// probeTail ends scopeLinksProbe's EXISTS: OFFSET 0 on PostgreSQL (SQLite
// takes an OFFSET only after a LIMIT, and probes each link anyway).
func probeTail(q *bun.SelectQuery) bun.Safe {
	if q.Dialect().Name() == dialect.PG {
		return " OFFSET 0"
	}
	return ""
}

// AssociateScope implements clients.ScopeResolver: one look-up of the
// associate and its classification's scope mode.
func (s *ClientStore) AssociateScope(ctx context.Context, tenantID, associateID string) (clients.Scope, error) {
	var state, office, mode string
	err := s.db.bun.NewSelect().TableExpr("associates AS a").
		Join("JOIN associate_classifications AS c ON c.tenant_id = a.tenant_id AND c.id = a.classification_id").
		ColumnExpr("a.state, a.office_id, c.scope").
		Where("a.tenant_id = ?", tenantID).Where("a.id = ?", associateID).
		Scan(ctx, &state, &office, &mode)
	if err != nil {
		if err = translate(err); errors.Is(err, clientele.ErrNotFound) {
			return clients.Scope{}, nil
		}
		return clients.Scope{}, fmt.Errorf("storage: scope of associate %s: %w", associateID, err)
	}
	if state != string(associates.Active) {
		return clients.Scope{}, nil
	}
	switch associates.ScopeMode(mode) {
	case associates.ScopeBranch:
		return clients.Scope{OfficeID: office}, nil
	case associates.ScopeRestricted:
		return clients.Scope{AssociateID: associateID}, nil
	}
	return clients.Scope{}, fmt.Errorf("storage: associate %s has a classification of unknown scope mode %q: %w", associateID, mode, clientele.ErrInvalid)
}

// OfficeUnderAssociate implements clients.ScopeResolver: one statement
// joining the associate, its office and the named office, whose path must lie
// in the range of the associate's office's path (the subtree range of
// scopeOffice).
func (s *ClientStore) OfficeUnderAssociate(ctx context.Context, tenantID, associateID, officeID string) (bool, error) {
	n, err := s.db.bun.NewSelect().TableExpr("associates AS a").
		Join("JOIN offices AS ao ON ao.tenant_id = a.tenant_id AND ao.id = a.office_id").
		Join("JOIN offices AS o ON o.tenant_id = a.tenant_id AND o.path >= ao.path AND o.path < substr(ao.path, 1, length(ao.path) - 1) || '0'").
		Where("a.tenant_id = ?", tenantID).Where("a.id = ?", associateID).Where("o.id = ?", officeID).
		Count(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: office %s under associate %s: %w", officeID, associateID, translate(err))
	}
	return n > 0, nil
}
