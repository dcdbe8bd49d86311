package storage

// Test-only helpers of the data-scope benchmark (benchscope_test.go, issue 11):
// a deterministic office tree and associate hierarchy, and a bulk loader that
// writes them, 1,000,000 clients and their associate links with the row
// mappings of the store (officeRow and the path InsertOffice builds,
// toAssociateRow and the path InsertAssociate builds, toClientRow, linkRow).
// It writes no audit entries, like BenchLoadClients.

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/clients"
)

// Shape of the benchmark trees.
const (
	ScopeRegions  = 10
	ScopeAreas    = 100 // 10 per region
	ScopeBranches = 889 // 8 or 9 per area: 1 + 10 + 100 + 889 = 1,000 offices
	// Associates: 10 children per node, depth 4: 1 + 10 + 100 + 1,000 +
	// 10,000 = 11,111.
	ScopeFanout = 10
)

// ScopeTree is the office tree and the associate hierarchy of the scope
// benchmark, with the same IDs for the same seed.
type ScopeTree struct {
	TenantID string
	// Classifications: executive and manager are branch-scoped, partner and
	// agent restricted.
	Executive, Manager, Partner, Agent associates.Classification
	HQ                                 string
	Regions, Areas, Branches           []string // office IDs
	// Levels[0] is the chief (HQ), Levels[1] the 10 regional managers (one
	// per region), Levels[2] the 100 area managers (one per area),
	// Levels[3] the 1,000 partners (restricted, at branches), Levels[4] the
	// 10,000 agents (restricted, at their partner's branch). The parent of
	// Levels[k][i] is Levels[k-1][i/10].
	Levels [5][]string
	// office of each associate, by ID.
	Office map[string]string
	// paths of offices and associates, by ID.
	OfficePath, AssociatePath map[string]string
}

// NewScopeTree builds the trees in memory: cheap, so a benchmark that reuses
// a loaded data set rebuilds it to know the IDs.
func NewScopeTree(tenantID string, seed int64) *ScopeTree {
	g := &BenchGen{r: rand.New(rand.NewSource(seed))}
	at := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	id := func() string {
		at = at.Add(time.Second)
		return g.uuidV7(at)
	}
	t := &ScopeTree{TenantID: tenantID, Office: map[string]string{}, OfficePath: map[string]string{}, AssociatePath: map[string]string{}}
	class := func(name string, mode associates.ScopeMode) associates.Classification {
		return associates.Classification{ID: id(), TenantID: tenantID, Name: name, Scope: mode,
			Fields: []associates.Field{}, Version: 1, CreatedAt: at}
	}
	t.Executive = class("Executive", associates.ScopeBranch)
	t.Manager = class("Manager", associates.ScopeBranch)
	t.Partner = class("Partner", associates.ScopeRestricted)
	t.Agent = class("Agent", associates.ScopeRestricted)
	office := func(parent string) string {
		o := id()
		t.OfficePath[o] = t.OfficePath[parent] + o + "/"
		if parent == "" {
			t.OfficePath[o] = "/" + o + "/"
		}
		return o
	}
	t.HQ = office("")
	for r := range ScopeRegions {
		_ = r
		t.Regions = append(t.Regions, office(t.HQ))
	}
	for a := range ScopeAreas {
		t.Areas = append(t.Areas, office(t.Regions[a/(ScopeAreas/ScopeRegions)]))
	}
	// Branch b is under area b mod 100, so areas 0–88 have 9 branches and
	// 89–99 have 8.
	for b := range ScopeBranches {
		t.Branches = append(t.Branches, office(t.Areas[b%ScopeAreas]))
	}
	branchesOf := func(area int) []string {
		var out []string
		for b := area; b < ScopeBranches; b += ScopeAreas {
			out = append(out, t.Branches[b])
		}
		return out
	}
	for level, n := 0, 1; level < 5; level, n = level+1, n*ScopeFanout {
		for i := range n {
			a := id()
			parentPath := "/"
			if level > 0 {
				parentPath = t.AssociatePath[t.Levels[level-1][i/ScopeFanout]]
			}
			t.AssociatePath[a] = parentPath + a + "/"
			switch level {
			case 0:
				t.Office[a] = t.HQ
			case 1:
				t.Office[a] = t.Regions[i]
			case 2:
				t.Office[a] = t.Areas[i]
			case 3:
				bs := branchesOf(i / ScopeFanout)
				t.Office[a] = bs[i%ScopeFanout%len(bs)]
			case 4:
				t.Office[a] = t.Office[t.Levels[3][i/ScopeFanout]]
			}
			t.Levels[level] = append(t.Levels[level], a)
		}
	}
	return t
}

// Classification returns the classification of associates at a level.
func (t *ScopeTree) Classification(level int) associates.Classification {
	return []associates.Classification{t.Executive, t.Manager, t.Manager, t.Partner, t.Agent}[level]
}

// ParentOf returns the parent associate of Levels[level][i], "" at level 0.
func (t *ScopeTree) ParentOf(level, i int) string {
	if level == 0 {
		return ""
	}
	return t.Levels[level-1][i/ScopeFanout]
}

// BenchLoadScope writes the trees (the classifications through
// InsertClassification, offices and associates in bulk, in one transaction),
// then n clients from next, each placed in the office of the agent
// (Levels[4]) it is linked to, chosen at random; every other client is also
// linked to that agent's partner (a loan officer and a partner both linked to
// one client, seed 000). PostgreSQL only (COPY).
func (db *DB) BenchLoadScope(ctx context.Context, t *ScopeTree, n int, seed int64, next func() clients.Client) error {
	if db.dialect != Postgres {
		return fmt.Errorf("storage: BenchLoadScope needs PostgreSQL")
	}
	st := db.Associates()
	for _, c := range []associates.Classification{t.Executive, t.Manager, t.Partner, t.Agent} {
		entry := audit.Entry{TenantID: t.TenantID, Actor: "bench", Operation: "bench.load", EntityType: "classification",
			EntityID: c.ID, Changed: []string{}, At: c.CreatedAt}
		if err := st.InsertClassification(ctx, c, entry); err != nil {
			return err
		}
	}
	now := time.Date(2022, 6, 1, 9, 0, 0, 0, time.UTC)
	err := db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		offices := make([]officeRow, 0, 1+len(t.Regions)+len(t.Areas)+len(t.Branches))
		add := func(id, parent, name string) {
			offices = append(offices, officeRow{TenantID: t.TenantID, ID: id, ParentID: parent, Name: name,
				Path: t.OfficePath[id], State: string(associates.OfficeOpen), Version: 1, CreatedAt: now, UpdatedAt: now})
		}
		add(t.HQ, "", "Head office")
		for i, o := range t.Regions {
			add(o, t.HQ, fmt.Sprintf("Region %d", i+1))
		}
		for i, o := range t.Areas {
			add(o, t.Regions[i/(ScopeAreas/ScopeRegions)], fmt.Sprintf("Area %d", i+1))
		}
		for i, o := range t.Branches {
			add(o, t.Areas[i%ScopeAreas], fmt.Sprintf("Branch %d", i+1))
		}
		if _, err := tx.NewInsert().Model(&offices).Exec(ctx); err != nil {
			return fmt.Errorf("offices: %w", err)
		}
		rows := make([]associateRow, 0, 1000)
		for level, ids := range t.Levels {
			for i, id := range ids {
				a := associates.Associate{ID: id, TenantID: t.TenantID, OfficeID: t.Office[id],
					ClassificationID: t.Classification(level).ID, ParentID: t.ParentOf(level, i),
					Name: fmt.Sprintf("Associate %d.%d", level, i), Email: fmt.Sprintf("a%d.%d@bench.example", level, i),
					Agent: level == 4, State: associates.Active, Version: 1, CreatedAt: now, UpdatedAt: now}
				r, err := toAssociateRow(a, t.AssociatePath[id])
				if err != nil {
					return err
				}
				rows = append(rows, r)
				if len(rows) == cap(rows) {
					if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
						return fmt.Errorf("associates: %w", err)
					}
					rows = rows[:0]
				}
			}
			// Parents are inserted before children: flush at each level.
			if len(rows) > 0 {
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return fmt.Errorf("associates: %w", err)
				}
				rows = rows[:0]
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	r := rand.New(rand.NewSource(seed + 1))
	g := &BenchGen{r: rand.New(rand.NewSource(seed + 2))}
	linkAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var links [][]any
	link := func(associateID, clientID string) {
		linkAt = linkAt.Add(time.Millisecond)
		l := linkRow{TenantID: t.TenantID, ID: g.uuidV7(linkAt), AssociateID: associateID,
			EntityKind: string(associates.EntityClient), EntityID: clientID, CreatedAt: linkAt}
		links = append(links, []any{l.TenantID, l.ID, l.AssociateID, l.EntityKind, l.EntityID, l.CreatedAt})
	}
	placed := func() clients.Client {
		c := next()
		agent := r.Intn(len(t.Levels[4]))
		a := t.Levels[4][agent]
		c.TenantID = t.TenantID
		c.OfficeID = t.Office[a]
		c.StaffAssociateID = ""
		c.AssignedAssociateIDs = []string{a}
		link(a, c.ID)
		if r.Intn(2) == 0 {
			link(t.Levels[3][agent/ScopeFanout], c.ID)
		}
		return c
	}
	if err := db.benchCopyClients(ctx, n, placed); err != nil {
		return err
	}
	conn, err := db.bun.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		cols := []string{"tenant_id", "id", "associate_id", "entity_kind", "entity_id", "created_at"}
		copied, err := pc.CopyFrom(ctx, pgx.Identifier{"associate_links"}, cols, pgx.CopyFromRows(links))
		if err != nil {
			return fmt.Errorf("copy links: %w", err)
		}
		if copied != int64(len(links)) {
			return fmt.Errorf("copy links: wrote %d rows, want %d", copied, len(links))
		}
		return nil
	})
}
