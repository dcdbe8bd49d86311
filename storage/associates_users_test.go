package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/idempotency"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/users"
)

// staffOf stores an open office, a classification and an active associate in
// tenantID and returns the associate.
func staffOf(t *testing.T, db *storage.DB, tenantID string) associates.Associate {
	t.Helper()
	ctx := context.Background()
	st := db.Associates()
	ent := func(typ, id string) audit.Entry {
		return audit.Entry{TenantID: tenantID, Actor: "tester", Operation: "test", EntityType: typ, EntityID: id, At: t0}
	}
	officeID, classID, id := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	require.NoError(t, st.InsertOffice(ctx, associates.Office{ID: officeID, TenantID: tenantID, Name: "Head office",
		State: associates.OfficeOpen, Version: 1, CreatedAt: t0, UpdatedAt: t0}, ent("office", officeID)))
	require.NoError(t, st.InsertClassification(ctx, associates.Classification{ID: classID, TenantID: tenantID, Name: "Employee " + id,
		Scope: associates.ScopeBranch, Fields: []associates.Field{}, Version: 1, CreatedAt: t0}, ent("classification", classID)))
	a := associates.Associate{ID: id, TenantID: tenantID, OfficeID: officeID, ClassificationID: classID,
		Name: "Staff", State: associates.Active, Data: map[string]any{}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.InsertAssociate(ctx, a, ent("associate", id)))
	return a
}

func deactivate(t *testing.T, db *storage.DB, a associates.Associate) {
	t.Helper()
	_, err := db.Associates().UpdateAssociate(context.Background(), a.TenantID, a.ID, func(x *associates.Associate) (audit.Entry, error) {
		x.State = associates.Inactive
		return audit.Entry{TenantID: a.TenantID, Actor: "tester", Operation: "test", EntityType: "associate", EntityID: a.ID,
			Changed: []string{"state"}, At: t0}, nil
	})
	require.NoError(t, err)
}

// AssociateExists is true only for an active associate of the tenant.
func TestAssociateExists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		userStore(t, db)
		a, b, gone := staffOf(t, db, "t1"), staffOf(t, db, "t2"), staffOf(t, db, "t1")
		deactivate(t, db, gone)
		st := db.Associates()
		for _, tc := range []struct {
			name, tenant, id string
			want             bool
		}{
			{"active", "t1", a.ID, true},
			{"other tenant", "t1", b.ID, false},
			{"inactive", "t1", gone.ID, false},
			{"missing", "t1", uuid.Must(uuid.NewV7()).String(), false},
			{"not an ID", "t1", "assoc-1", false},
			{"upper case", "t1", strings.ToUpper(a.ID), false},
		} {
			got, err := st.AssociateExists(ctx, tc.tenant, tc.id)
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.want, got, tc.name)
		}
	})
}

// The session look-up reads the user's associate (office, state and its
// classification's scope mode) in the same query, within the session's tenant: an associate of another tenant,
// or an associate ID that names none, is not active.
func TestSessionByDigestReadsTheAssociate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := userStore(t, db)
		a, other := staffOf(t, db, "t1"), staffOf(t, db, "t2")
		withSession := func(id, associateID string) string {
			acc := account("t1", id, id+"@x.example", "")
			acc.User.Type, acc.User.ClientID, acc.User.AssociateID, acc.User.Roles = users.OriginatorAdmin, "", associateID, []string{}
			_, _, err := s.Create(ctx, acc, nil, idempotency.Key{}, entry("t1", id, "US001"))
			require.NoError(t, err)
			_, err = s.Change(ctx, "t1", id, func(ch *users.Change) error {
				ch.Account.User.State = users.Active
				ch.Session = &users.SessionRecord{ID: "s-" + id, Digest: "d-" + id, Method: users.ChannelEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
				return nil
			})
			require.NoError(t, err)
			return "d-" + id
		}
		const u4 = "0190a0b0-0000-7000-8000-000000000004"
		linked, invented, foreign, none := withSession(u1, a.ID), withSession(u2, "assoc-legacy"), withSession(u3, other.ID), withSession(u4, "")

		sv, err := s.SessionByDigest(ctx, linked)
		require.NoError(t, err)
		assert.True(t, sv.AssociateActive)
		assert.Equal(t, a.ID, sv.AssociateID)
		assert.Equal(t, a.OfficeID, sv.OfficeID)
		assert.Equal(t, string(associates.ScopeBranch), sv.ScopeMode, "its classification's, in the same query")
		for name, d := range map[string]string{"invented": invented, "other tenant": foreign, "none": none} {
			sv, err := s.SessionByDigest(ctx, d)
			require.NoError(t, err, name)
			assert.False(t, sv.AssociateActive, name)
			assert.Empty(t, sv.OfficeID, name)
			assert.Empty(t, sv.ScopeMode, name)
		}

		deactivate(t, db, a)
		sv, err = s.SessionByDigest(ctx, linked)
		require.NoError(t, err)
		assert.False(t, sv.AssociateActive, "read as it is now, not as it was at login")
		assert.Equal(t, a.OfficeID, sv.OfficeID)
	})
}

// The session look-up stays one query on three unique indexes: the token's,
// the user's primary key and the associate's primary key; no table is
// scanned.
func TestSessionQueryUsesIndexes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *storage.DB) {
		userStore(t, db)
		q := db.SessionQuery()
		if db.Dialect() == storage.Postgres {
			// PostgreSQL plans by statistics: give it a tenant of 5,000
			// associates, as a bank's would be, and fresh statistics.
			a := staffOf(t, db, "t1")
			_, err := db.SQL().ExecContext(context.Background(), `INSERT INTO associates
(tenant_id, id, office_id, classification_id, path, name, email, phone, agent, state, data, version, created_at, updated_at)
SELECT 't1', 'a-' || g, $1, $2, '/a-' || g || '/', 'n', '', '', false, 'active', '{}', 1, now(), now()
FROM generate_series(1, 5000) AS g`, a.OfficeID, a.ClassificationID)
			require.NoError(t, err)
			_, err = db.SQL().ExecContext(context.Background(), "ANALYZE associates")
			require.NoError(t, err)
			q = strings.Replace(q, "$1", "'digest'", 1)
		} else {
			q = strings.Replace(q, "?", "'digest'", 1)
		}
		plan := explain(t, db, q)
		assert.NotContains(t, plan, "SCAN", plan)
		assert.NotContains(t, plan, "Seq Scan", plan)
		if db.Dialect() == storage.SQLite {
			assert.Contains(t, plan, "user_sessions_token", plan)
			assert.Regexp(t, `SEARCH a USING INDEX sqlite_autoindex_associates_1 \(tenant_id=\? AND id=\?\)`, plan)
		} else {
			assert.Contains(t, plan, "user_sessions_token", plan)
			assert.Contains(t, plan, "associates_pkey", plan)
		}
	})
}
