package clientele_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneDigestOneRequestHash: one place computes the SHA-256 of a token
// (internal/secret.Digest, which adapters.HashToken calls) and one computes the
// hash of an idempotent request (idempotency.Hash). No other library package
// imports crypto/sha256 to make a second copy. The example server signs its
// demo social tokens with HMAC-SHA-256, which is neither.
func TestOneDigestOneRequestHash(t *testing.T) {
	homes := map[string]bool{"internal/secret": true, "idempotency": true}
	var strays []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || path == "examples") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || homes[filepath.ToSlash(filepath.Dir(path))] {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		imports := map[string]bool{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[p] = true
		}
		// SHA-256 under crypto/hmac keys a MAC (a test stand-in for a social
		// provider's signature): not a digest of a token or of a request.
		if imports["crypto/sha256"] && !imports["crypto/hmac"] {
			strays = append(strays, path)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, strays, "a second SHA-256 digest or request hash")
}
