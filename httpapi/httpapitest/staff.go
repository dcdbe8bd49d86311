package httpapitest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/associates"
	"github.com/clientele-go/clientele/audit"
	"github.com/clientele-go/clientele/storage"
)

// staffID is the active associate of the test tenant that the scenarios'
// back-office invitations name (an invitation must name an active associate
// of the tenant). NewEnv stores it with its office and classification.
const staffID = "01937000-0000-7000-8000-0000000000b1"

// staffOfficeID and staffClassificationID are the office and classification
// seedStaff stores with it; the scenarios that list offices and
// classifications count them in.
const (
	staffOfficeID         = "01937000-0000-7000-8000-0000000000a1"
	staffClassificationID = "01937000-0000-7000-8000-0000000000c1"
)

// seedStaff stores an open office, a classification and the associate staffID
// in tenantID, through the associates store.
func seedStaff(t testing.TB, db *storage.DB, tenantID string) {
	t.Helper()
	ctx := context.Background()
	st := db.Associates()
	now := time.Now().UTC().Truncate(time.Microsecond)
	entry := func(typ, id string) audit.Entry {
		return audit.Entry{TenantID: tenantID, Actor: "system", Operation: "test.seed", EntityType: typ, EntityID: id, Changed: []string{}, At: now}
	}
	officeID, classID := staffOfficeID, staffClassificationID
	require.NoError(t, st.InsertOffice(ctx, associates.Office{ID: officeID, TenantID: tenantID, Name: "Head office",
		State: associates.OfficeOpen, Version: 1, CreatedAt: now, UpdatedAt: now}, entry("office", officeID)))
	require.NoError(t, st.InsertClassification(ctx, associates.Classification{ID: classID, TenantID: tenantID, Name: "Seeded staff",
		Scope: associates.ScopeBranch, Fields: []associates.Field{}, Version: 1, CreatedAt: now}, entry("classification", classID)))
	require.NoError(t, st.InsertAssociate(ctx, associates.Associate{ID: staffID, TenantID: tenantID, OfficeID: officeID, ClassificationID: classID,
		Name: "Staff", State: associates.Active, Data: map[string]any{}, Version: 1, CreatedAt: now, UpdatedAt: now}, entry("associate", staffID)))
}
