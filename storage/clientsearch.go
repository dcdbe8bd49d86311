package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
)

// clientColumn maps a search field of clients.SearchSchema to its column. Only
// these fixed names ever reach SQL text as identifiers; every value goes through a
// bun placeholder, which the dialect quotes.
func clientColumn(field clients.Field) (string, bool) {
	switch field {
	case clients.FieldStatus:
		return "state", true
	case clients.FieldType, clients.FieldReference, clients.FieldEmail, clients.FieldPhone:
		return string(field), true
	case clients.FieldKYC:
		return "kyc_status", true
	case clients.FieldName:
		return "name_search", true
	case clients.FieldOffice:
		return "office_id", true
	case clients.FieldCreated:
		return "created_at", true
	case clients.FieldUpdated:
		return "updated_at", true
	}
	return "", false
}

// Search implements clients.Store: keyset pagination on the UUIDv7 id, which
// orders clients by creation time. The scope is a condition of the same
// statement as the filter and the cursor (see whereScope), so a page holds
// only clients in scope and the next page starts right after it.
//
// A substring search runs in two steps: the filter, cursor and LIMIT select only
// ids in a subquery, then the page's full rows are fetched by primary key. On
// PostgreSQL an index on (tenant_id, id) INCLUDE (name_search) makes the
// newest-first walk of that subquery an index-only scan, so a search whose matches
// are sparse no longer reads every table row it skips (BENCHMARKS.md has the
// plans). Other queries stop at their page on an index and read the rows at once.
func (s *ClientStore) Search(ctx context.Context, tenantID string, sc clients.Scope, q clients.Query, after string, limit int) ([]clients.Client, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("storage: search clients: %w", err)
	}
	form, err := s.scopeFormOf(ctx, tenantID, sc)
	if err != nil {
		return nil, err
	}
	var rows []clientRow
	page := s.db.bun.NewSelect().Model(&rows)
	sel, table := page, clientTable
	if hasSubstring(q) {
		sel, table = s.db.bun.NewSelect().TableExpr("clients").Column("id"), "clients"
	}
	sel.Where("tenant_id = ?", tenantID)
	whereScope(sel, table, tenantID, sc, form)
	for _, t := range q.Terms {
		if t.Field == clients.FieldStarred {
			// Validate admits only starred:true|false with a member.
			for _, v := range starredValues(t) {
				whereStarred(sel, table, tenantID, q.Member, v)
			}
			continue
		}
		if err := whereTerm(sel, t); err != nil {
			return nil, err
		}
	}
	if after != "" {
		sel.Where("id < ?", after)
	}
	sel.Order("id DESC").Limit(int64(limit))
	if sel != page {
		page.Where(`"client_row"."id" IN (?)`, sel).Order("client_row.id DESC")
	}
	if err := page.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]clients.Client, 0, len(rows))
	for _, r := range rows {
		c, err := r.client()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// hasSubstring reports whether q has a substring (~) term.
func hasSubstring(q clients.Query) bool {
	for _, t := range q.Terms {
		if t.Op == clients.OpContains {
			return true
		}
	}
	return false
}

func whereTerm(sel *bun.SelectQuery, t clients.Term) error {
	col, ok := clientColumn(t.Field)
	if !ok {
		return fmt.Errorf("storage: filter field %q has no column: %w", t.Field, clientele.ErrInvalid)
	}
	if len(t.Values) == 0 {
		return fmt.Errorf("storage: search term on %s has no value: %w", t.Field, clientele.ErrInvalid)
	}
	ident := bun.Ident(col)
	if t.Field.IsDate() {
		return whereDate(sel, ident, t)
	}
	vals := make([]string, len(t.Values))
	for i, v := range t.Values {
		vals[i] = v.Text
		switch col {
		case "name_search":
			vals[i] = foldName(v.Text)
		case "email":
			vals[i] = strings.ToLower(v.Text)
		}
	}
	switch t.Op {
	case clients.OpEq:
		sel.Where("? IN (?)", ident, bun.In(vals))
	case clients.OpNe:
		sel.Where("? NOT IN (?)", ident, bun.In(vals))
	case clients.OpContains:
		sel.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, v := range vals {
				q = q.WhereOr(`? LIKE ? ESCAPE '\'`, ident, "%"+escapeLike(v)+"%")
			}
			return q
		})
	default:
		return fmt.Errorf("storage: operator %s on %s: %w", t.Op, t.Field, clientele.ErrInvalid)
	}
	return nil
}

// whereDate compares a timestamp column. A date without a time means the whole UTC
// day: created:2025-01-01 is [day, next day), created>2025-01-01 starts the next day.
func whereDate(sel *bun.SelectQuery, ident bun.Ident, t clients.Term) error {
	if len(t.Values) != 1 && t.Op != clients.OpEq && t.Op != clients.OpNe {
		return fmt.Errorf("storage: %s takes one date: %w", t.Field, clientele.ErrInvalid)
	}
	sel.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, v := range t.Values {
			from, to := v.Time.UTC(), v.Time.UTC()
			if v.DateOnly {
				to = from.Add(24 * time.Hour)
			}
			switch t.Op {
			case clients.OpEq:
				if v.DateOnly {
					q = q.WhereOr("(? >= ? AND ? < ?)", ident, from, ident, to)
				} else {
					q = q.WhereOr("? = ?", ident, from)
				}
			case clients.OpNe:
				if v.DateOnly {
					q = q.Where("(? < ? OR ? >= ?)", ident, from, ident, to)
				} else {
					q = q.Where("? <> ?", ident, from)
				}
			case clients.OpGt:
				if v.DateOnly {
					q = q.Where("? >= ?", ident, to)
				} else {
					q = q.Where("? > ?", ident, from)
				}
			case clients.OpGe:
				q = q.Where("? >= ?", ident, from)
			case clients.OpLt:
				q = q.Where("? < ?", ident, from)
			case clients.OpLe:
				if v.DateOnly {
					q = q.Where("? < ?", ident, to)
				} else {
					q = q.Where("? <= ?", ident, from)
				}
			}
		}
		return q
	})
	return nil
}

// escapeLike escapes LIKE's wildcards so user input matches literally.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// starredValues returns what a starred term asks for: nothing when it allows
// both true and false (every client), otherwise the one value.
func starredValues(t clients.Term) []bool {
	var yes, no bool
	for _, v := range t.Values {
		yes = yes || v.Text == "true"
		no = no || v.Text == "false"
	}
	if yes == no {
		return nil
	}
	return []bool{yes}
}
