package authz

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPresetRoleConstants checks that every seed role RP001–RP005 has a constant
// for its preset, naming the role the seed's table gives that code, and that
// the preset holds the role under that code.
func TestPresetRoleConstants(t *testing.T) {
	for _, tc := range []struct {
		spec  Spec
		seed  string
		roles map[string]string // constant → the role's name in the seed
	}{
		{BackofficePlatform(), "testdata/seeds/001_security.md", map[string]string{
			BackofficeAdministrator:       "Administrator",
			BackofficeRelationshipOfficer: "Relationship Officer",
			BackofficeComplianceOfficer:   "Compliance Officer",
			BackofficeSupportOfficer:      "Support Officer",
		}},
		{RetailEngine(), "testdata/seeds/002_security.md", map[string]string{
			RetailAdministrator:       "Administrator",
			RetailRelationshipOfficer: "Relationship Officer",
			RetailComplianceOfficer:   "Compliance Officer",
			RetailCreditController:    "Credit Controller",
			RetailHelpdeskOfficer:     "Helpdesk Officer",
		}},
	} {
		t.Run(tc.spec.Name, func(t *testing.T) {
			seed := readSeed(t, tc.seed)
			assert.Len(t, tc.roles, len(seed.roles), "one constant per seed role")
			for _, row := range seed.roles {
				name, ok := tc.roles[row[0]]
				if assert.True(t, ok, "no constant for seed role %s", row[0]) {
					assert.Equal(t, row[1], name, "constant for %s", row[0])
				}
				i := -1
				for j, r := range tc.spec.Roles {
					if r.Code == row[0] {
						i = j
					}
				}
				if assert.GreaterOrEqual(t, i, 0, "preset holds %s", row[0]) {
					assert.Equal(t, row[1], tc.spec.Roles[i].Name)
				}
			}
		})
	}
}
