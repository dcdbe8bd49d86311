package clientele_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/clients"
)

// TestRootDocCallsMatchTheAPI checks the wiring sketch in the package
// documentation against the API: svc.Create there takes as many arguments as
// clients.Service.Create does.
func TestRootDocCallsMatchTheAPI(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	doc := f.Doc.Text()
	m := regexp.MustCompile(`svc\.Create\(([^)]*)\)`).FindStringSubmatch(doc)
	require.NotNil(t, m, "the doc shows svc.Create")
	create, ok := reflect.TypeFor[*clients.Service]().MethodByName("Create")
	require.True(t, ok)
	assert.Equal(t, create.Type.NumIn()-1, len(strings.Split(m[1], ",")), "arguments of svc.Create in doc.go: %s", m[0])
}

// TestDocsDescribeOnlyWhatExists: a doc comment must not describe behaviour
// that does not exist. Until clients has an Archive method and a portal
// package serves loans, no documentation says that the archive saga runs or
// that loan notes are stripped.
func TestDocsDescribeOnlyWhatExists(t *testing.T) {
	_, hasArchive := reflect.TypeFor[*clients.Service]().MethodByName("Archive")
	_, err := os.Stat("portal")
	hasPortal := err == nil
	claims := []struct {
		exists bool
		what   *regexp.Regexp
	}{
		{hasArchive, regexp.MustCompile(`(?i)archive saga|the saga|archiv\w* is a saga|balances of archived clients`)},
		{hasPortal, regexp.MustCompile(`(?i)\bstrip(s|ped)?\b[^.]*(notes|loan)|loans?, stripped`)},
	}
	for _, dir := range []string{".", "clients", "adapters", "authz", "tenants", "storage"} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
			require.NoError(t, err)
			for _, cg := range f.Comments {
				text := strings.Join(strings.Fields(cg.Text()), " ")
				for _, c := range claims {
					if !c.exists && c.what.MatchString(text) {
						t.Errorf("%s: doc describes behaviour that does not exist: %q", fset.Position(cg.Pos()), c.what.FindString(text))
					}
				}
			}
		}
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, c := range claims {
		if !c.exists {
			assert.NotRegexp(t, c.what, string(readme), "README.md")
		}
	}
}
