package authz

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tables of seeds 001 and 002 ("Security and Governance"), copied verbatim
// into testdata/seeds, are parsed here independently of preset.go and checked
// cell by cell against the presets.

type seedTables struct {
	perms    [][3]string // code, name, APIs
	roles    [][3]string // code, name, permissions (codes or names)
	policies [][3]string // id, name, condition
}

func readSeed(t *testing.T, path string) seedTables {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var st seedTables
	var cur *[][3]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			c := strings.NewReplacer("`", "", "**", "").Replace(cells[i])
			cells[i] = strings.Join(strings.Fields(c), " ")
		}
		switch {
		case strings.HasPrefix(cells[0], "---"):
			continue
		case cells[0] == "Permission Code" || cells[0] == "Permissions":
			cur = &st.perms
			continue
		case cells[0] == "Role Code" || cells[0] == "Role":
			cur = &st.roles
			continue
		case cells[0] == "Policy ID":
			cur = &st.policies
			continue
		}
		if cur != nil {
			*cur = append(*cur, [3]string{cells[0], cells[1], cells[2]})
		}
	}
	require.NotEmpty(t, st.perms)
	require.NotEmpty(t, st.roles)
	require.NotEmpty(t, st.policies)
	return st
}

var (
	rangeRE = regexp.MustCompile(`CL(\d{3})[^,\w]+CL(\d{3})`)
	codeRE  = regexp.MustCompile(`CL\d{3}`)
)

// expandAPIs reads "CL001, CL008" and "CL001–CL005, CL008–CL009" (the dash is
// whatever the seed file holds).
func expandAPIs(cell string) []Operation {
	var ops []Operation
	for _, part := range strings.Split(cell, ",") {
		if m := rangeRE.FindStringSubmatch(part); m != nil {
			from, _ := strconv.Atoi(m[1]) // not fmt.Sscan: "013" would read as octal
			to, _ := strconv.Atoi(m[2])
			for i := from; i <= to; i++ {
				ops = append(ops, Operation(fmt.Sprintf("CL%03d", i)))
			}
			continue
		}
		for _, c := range codeRE.FindAllString(part, -1) {
			ops = append(ops, Operation(c))
		}
	}
	return ops
}

// seedRolePerms resolves a role's permission cell to codes: seed 001 gives codes,
// seed 002 names ("List Client" is the seed's typo for "List Clients").
func seedRolePerms(st seedTables, cell string) []string {
	var out []string
	for _, name := range strings.Split(cell, ",") {
		name = strings.TrimSpace(name)
		if name == "List Client" {
			name = "List Clients"
		}
		for _, p := range st.perms {
			if p[0] == name || p[1] == name {
				out = append(out, p[0])
			}
		}
	}
	return out
}

var presetSeeds = []struct {
	file   string
	preset func() Spec
	app    string
}{
	{"testdata/seeds/001_security.md", BackofficePlatform, AppBackoffice},
	{"testdata/seeds/002_security.md", RetailEngine, AppRetail},
}

func TestPresetsMatchSeedTables(t *testing.T) {
	for _, ps := range presetSeeds {
		spec := ps.preset()
		t.Run(spec.Name, func(t *testing.T) {
			st := readSeed(t, ps.file)
			perms := spec.PermissionMap()
			for _, row := range st.perms {
				p, ok := perms[row[0]]
				if !assert.True(t, ok, "permission %s", row[0]) {
					continue
				}
				assert.Equal(t, row[1], p.Name, "name of %s", row[0])
				assert.Equal(t, Backoffice, p.Type, "type of %s", row[0])
				assert.ElementsMatch(t, expandAPIs(row[2]), p.Operations, "APIs of %s", row[0])
			}
			for _, row := range st.roles {
				i := slices.IndexFunc(spec.Roles, func(r Role) bool { return r.Code == row[0] })
				if !assert.GreaterOrEqual(t, i, 0, "role %s", row[0]) {
					continue
				}
				r := spec.Roles[i]
				assert.Equal(t, row[1], r.Name, "name of %s", row[0])
				assert.Equal(t, Backoffice, r.Type)
				want := seedRolePerms(st, row[2])
				assert.Len(t, want, len(strings.Split(row[2], ",")), "every permission of %s resolves", row[0])
				assert.ElementsMatch(t, want, r.Permissions, "permissions of %s", row[0])
			}
			for _, row := range st.policies {
				i := slices.IndexFunc(spec.Policies, func(p Policy) bool { return p.Code == row[0] })
				if !assert.GreaterOrEqual(t, i, 0, "policy %s", row[0]) {
					continue
				}
				p := spec.Policies[i]
				assert.Equal(t, row[1], p.Name)
				assert.Equal(t, row[2], p.Condition)
			}
			// Everything else in the preset is one of the documented additions.
			for _, p := range spec.Permissions {
				if !slices.ContainsFunc(st.perms, func(r [3]string) bool { return r[0] == p.Code }) {
					assert.Contains(t, []string{PermStaffAccounts, PermPortalSavings, PermPortalLoans, PermPortalTransfer,
						PermRoleList, PermRoleAdmin, PermUserAdmin, PermOutboxAdmin, PermAssociateAdmin, PermKYCVerify}, p.Code)
				}
			}
			for _, r := range spec.Roles {
				if !slices.ContainsFunc(st.roles, func(x [3]string) bool { return x[0] == r.Code }) {
					assert.Contains(t, []string{RoleSecurityAdmin, RoleOperations, RoleKYCOfficer, RolePortalViewer, RolePortalTransactor}, r.Code)
				}
			}
			assert.Len(t, spec.Policies, len(st.policies))
			assert.Equal(t, PermStaffAccounts, spec.StaffPermission)
			_, err := Compile(spec)
			require.NoError(t, err)
		})
	}
}

func TestPresetLookup(t *testing.T) {
	for _, name := range []string{PresetBackofficePlatform, PresetRetailEngine} {
		s, ok := Preset(name)
		require.True(t, ok)
		assert.Equal(t, name, s.Name)
	}
	_, ok := Preset("nope")
	assert.False(t, ok)
	// Presets are fresh copies: changing one changes no other.
	a := RetailEngine()
	a.Roles[0].Permissions[0] = "x"
	assert.Equal(t, "clnt_mgmt_admin", RetailEngine().Roles[0].Permissions[0])
}

// TestEveryRoleEveryOperation decides every seed role × every CL operation for
// both presets and expects "allowed" exactly where the seed tables grant it;
// RP002's CL004 only on an assigned client (P_*_002).
func TestEveryRoleEveryOperation(t *testing.T) {
	var clOps []Operation
	for _, op := range Operations() {
		if strings.HasPrefix(string(op), "CL") {
			clOps = append(clOps, op)
		}
	}
	require.Len(t, clOps, 13)
	for _, ps := range presetSeeds {
		spec := ps.preset()
		cat, err := Compile(spec)
		require.NoError(t, err)
		st := readSeed(t, ps.file)
		org := Org{TenantID: "t", Apps: map[string]string{ps.app: "active"}}
		for _, row := range st.roles {
			var granted []Operation
			for _, pc := range seedRolePerms(st, row[2]) {
				for _, pr := range st.perms {
					if pr[0] == pc {
						granted = append(granted, expandAPIs(pr[2])...)
					}
				}
			}
			for _, op := range clOps {
				p := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{row[0]}, AssociateID: "a1"}
				assigned := Resource{ClientID: "c1", AssignedAssociates: []string{"a1"}, InMemberScope: InScope}
				other := Resource{ClientID: "c1", AssignedAssociates: []string{"a2"}, InMemberScope: OutOfScope}
				want := slices.Contains(granted, op)
				name := fmt.Sprintf("%s/%s/%s", spec.Name, row[0], op)
				assert.Equal(t, want, cat.Decide(p, org, op, assigned).Allowed, name+" assigned")
				wantOther := want && !(row[0] == "RP002" && op == OpUpdateClient)
				assert.Equal(t, wantOther, cat.Decide(p, org, op, other).Allowed, name+" not assigned")
				// P_*_001: nothing at all while the subscription is inactive.
				off := Org{TenantID: "t", Apps: map[string]string{ps.app: "inactive"}}
				assert.False(t, cat.Decide(p, off, op, assigned).Allowed, name+" inactive")
			}
		}
	}
}

// The associate operations (AS001–AS012) are granted in both presets by
// associate_admin, which the security administrator RA001 holds and no seed
// role does.
func TestPresetsGrantAssociateOperationsToSecurityAdmin(t *testing.T) {
	var asOps []Operation
	for _, op := range Operations() {
		if strings.HasPrefix(string(op), "AS") {
			asOps = append(asOps, op)
		}
	}
	require.Len(t, asOps, 12)
	for _, ps := range presetSeeds {
		spec := ps.preset()
		cat, err := Compile(spec)
		require.NoError(t, err)
		perm, ok := spec.PermissionMap()[PermAssociateAdmin]
		require.True(t, ok, spec.Name)
		assert.ElementsMatch(t, asOps, perm.Operations, spec.Name)
		org := Org{TenantID: "t", Apps: map[string]string{string(ps.app): "active"}}
		for _, op := range asOps {
			admin := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{RoleSecurityAdmin}}
			assert.True(t, cat.Decide(admin, org, op, Resource{}).Allowed, "%s RA001 %s", spec.Name, op)
			for _, seedRole := range []string{"RP001", "RP002", "RP003", "RP004"} {
				p := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{seedRole}}
				assert.False(t, cat.Decide(p, org, op, Resource{}).Allowed, "%s %s %s", spec.Name, seedRole, op)
			}
		}
	}
}

// The manual KYC decision (KY001) is granted in both presets by
// clnt_kyc_verify, which the KYC officer RK001 holds and no seed role does:
// the update permissions of the seeds do not grant it.
func TestPresetsGrantKYCToKYCOfficerOnly(t *testing.T) {
	for _, ps := range presetSeeds {
		spec := ps.preset()
		cat, err := Compile(spec)
		require.NoError(t, err)
		perm, ok := spec.PermissionMap()[PermKYCVerify]
		require.True(t, ok, spec.Name)
		assert.Equal(t, []Operation{OpSetKYCStatus}, perm.Operations)
		org := Org{TenantID: "t", Apps: map[string]string{ps.app: "active"}}
		kyc := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{RoleKYCOfficer}}
		assert.True(t, cat.Decide(kyc, org, OpSetKYCStatus, Resource{ClientID: "c1"}).Allowed, spec.Name)
		assert.False(t, cat.Decide(kyc, org, OpSetKYCStatus, Resource{ClientID: "c1", StaffOwned: true}).Allowed,
			"%s: a staff-owned client also needs the employee-account permission", spec.Name)
		assert.False(t, cat.Decide(kyc, org, OpUpdateClient, Resource{ClientID: "c1"}).Allowed, spec.Name)
		for _, role := range []string{"RP001", "RP002", "RP003", "RP004", "RP005", RoleSecurityAdmin, RoleOperations} {
			p := Principal{TenantID: "t", Kind: Backoffice, Roles: []string{role}, AssociateID: "a1"}
			assert.False(t, cat.Decide(p, org, OpSetKYCStatus, Resource{ClientID: "c1", AssignedAssociates: []string{"a1"}}).Allowed,
				"%s %s", spec.Name, role)
		}
	}
}
