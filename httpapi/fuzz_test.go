package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/httpapi/httpapitest"
	"github.com/clientele-go/clientele/internal/dbtest"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/problem"
	"github.com/clientele-go/clientele/users"
)

// FuzzCreateClientBody posts arbitrary JSON-typed bodies to POST
// /clients/profile: every answer is a created client or a problem naming what is
// wrong, never a 5xx. A created client holds no control character and only
// valid UTF-8.
func FuzzCreateClientBody(f *testing.F) {
	f.Add([]byte(httpapitest.PersonBody))
	f.Add([]byte(`{"type":"corporate","officeId":"o","corporate":{"legalName":"Acme","registrationNumber":"1","incorporationDate":"2001-01-01","country":"KE","expectedMonthlyTurnover":{"amount":5,"currency":"KES"}}}`))
	f.Add([]byte(`{"type":"individual","individual":{"dateOfBirth":"9999-99-99"}}`))
	f.Add([]byte(`{"reference":"../../etc","type":"individual"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"type":null}`))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte(`{"type":"individual","type":"corporate"}`))
	f.Add([]byte(`{"type":"individual","officeId":"o\u0000","individual":{"firstName":"A\u001b","lastName":"B","dateOfBirth":"1990-01-01","nationalId":"1\u0000"}}`))

	env := httpapitest.NewEnv(f, dbtest.SQLiteFile(f), nil)
	session, err := env.Services.Users.LoginPassword(context.Background(), users.PasswordLoginInput{TenantID: "demo", Email: "admin@demo.example", Password: httpapitest.Password})
	if err != nil {
		f.Fatal(err)
	}
	h := env.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/clients/profile", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+session.Token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated:
			var c clients.Client
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || c.Reference == "" {
				t.Fatalf("201 without a client: %s", rec.Body)
			}
			verr := &clientele.ValidationError{}
			if textcheck.Strings(verr, "", c); !utf8.Valid(body) || verr.OrNil() != nil {
				t.Fatalf("201 for a body with invalid UTF-8 or a control character: %q", body)
			}
		case http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge:
			var p problem.Document
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" {
				t.Fatalf("%d without a problem body: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body)
		}
	})
}
