package apitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/httpapi/httpapitest"
)

func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(httpapi.OpenAPI)
	require.NoError(t, err)
	v, errs := validator.NewValidator(doc)
	require.Empty(t, errs)
	return v
}

// TestDocumentIsValid: the served document is valid OpenAPI 3.1.
func TestDocumentIsValid(t *testing.T) {
	v := newValidator(t)
	ok, errs := v.ValidateDocument()
	for _, e := range errs {
		t.Errorf("document: %s: %s", e.Message, e.Reason)
	}
	require.True(t, ok)
}

// TestRoutesMatchDocument runs every route scenario and validates each
// response against the document, and each request the API accepted (a 2xx):
// the scenarios send bad requests on purpose, and their answers must be
// described as well.
func TestRoutesMatchDocument(t *testing.T) {
	v := newValidator(t)
	httpapitest.Run(t, func(t *testing.T, req *http.Request, resp *http.Response) {
		t.Helper()
		where := req.Method + " " + req.URL.Path + " → " + resp.Status
		if resp.StatusCode < 300 {
			if ok, errs := v.ValidateHttpRequest(req); !ok {
				for _, e := range errs {
					t.Errorf("request %s: %s: %s", where, e.Message, e.Reason)
				}
			}
			// The request body was read; give it back for the response check.
			if req.GetBody != nil {
				req.Body, _ = req.GetBody()
			}
		}
		if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
			for _, e := range errs {
				t.Errorf("response %s: %s: %s %s", where, e.Message, e.Reason, strings.Join(schemaErrors(e), "; "))
			}
		}
	})
}

// schemaErrors lists where a body broke its schema.
func schemaErrors(e *verrors.ValidationError) []string {
	var out []string
	for _, f := range e.SchemaValidationErrors {
		out = append(out, f.FieldPath+": "+f.Reason)
	}
	return out
}
