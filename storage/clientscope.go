package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

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
// A list (a page of many clients, newest first) under a link subtree on
// PostgreSQL takes another form of the same condition, scopeLinksList: the
// planner cannot estimate how many clients a subtree links (its path range
// is only known when the statement runs), guesses thousands, and walks the
// whole clients index newest first probing every client against the links
// (seconds at 1M clients for an agent who sees 1,000). scopeLinksList
// collects the linked IDs first (a path range, then per associate its links,
// read from associate_links_associate alone), and the page is read by
// primary key and sorted: its cost follows the number of links in the scope,
// not the size of the tenant. BENCHMARKS.md ("Data scope at 1M clients")
// has the plans and figures.
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
	// scopeLinksList is scopeLinks for a list on PostgreSQL, with the same
	// placeholders: the linked IDs as one array, computed once per statement
	// (a client linked twice appears twice; the primary-key look-up of
	// id = ANY reads it once).
	scopeLinksList = `? = ANY (ARRAY(SELECT sl.entity_id FROM associates AS sa
	JOIN associate_links AS sl ON sl.tenant_id = sa.tenant_id AND sl.associate_id = sa.id
	WHERE sl.tenant_id = ? AND sl.entity_kind = 'client' AND sa.tenant_id = ?
	AND sa.path >= (SELECT sr.path FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)
	AND sa.path < (SELECT substr(sr.path, 1, length(sr.path) - 1) || '0' FROM associates AS sr WHERE sr.tenant_id = ? AND sr.id = ?)))`
)

// whereScope limits q, a query of the clients table under the SQL name table
// (a fixed identifier, never input), to the clients of scope sc. The zero
// Scope matches no row. list says q reads a page of clients in ID order
// rather than one client by a unique key; it chooses the form of a link
// subtree's condition, never what it matches.
func (s *ClientStore) whereScope(q *bun.SelectQuery, table, tenantID string, sc clients.Scope, list bool) *bun.SelectQuery {
	if sc.Tenant {
		return q
	}
	if sc.Empty() {
		return q.Where("1 = 0")
	}
	office, id := bun.Safe(table+".office_id"), bun.Safe(table+".id")
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if sc.OfficeID != "" {
			q = q.WhereOr(scopeOffice, office, tenantID, tenantID, sc.OfficeID, tenantID, sc.OfficeID)
		}
		if sc.AssociateID != "" {
			links := scopeLinks
			if list && s.db.dialect == Postgres {
				links = scopeLinksList
			}
			q = q.WhereOr(links, id, tenantID, tenantID, tenantID, sc.AssociateID, tenantID, sc.AssociateID)
		}
		return q
	})
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
