package httpadapter_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/httpadapter"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every kind maps to a status and code, and the client maps it back.
func TestErrorKindsRoundTrip(t *testing.T) {
	cases := []struct {
		kind   error
		status int
		code   string
	}{
		{clientele.ErrInvalid, 422, httpadapter.CodeInvalid},
		{clientele.ErrUnauthenticated, 401, httpadapter.CodeUnauthenticated},
		{clientele.ErrForbidden, 403, httpadapter.CodeForbidden},
		{clientele.ErrPortalDisabled, 403, httpadapter.CodePortalDisabled},
		{clientele.ErrNotFound, 404, httpadapter.CodeNotFound},
		{clientele.ErrConflict, 409, httpadapter.CodeConflict},
		{clientele.ErrPrecondition, 409, httpadapter.CodePrecondition},
		{adapters.ErrNotSupported, 501, httpadapter.CodeNotSupported},
		{clientele.ErrUnavailable, 503, httpadapter.CodeUnavailable},
		{errors.New("boom"), 500, httpadapter.CodeInternal},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			wrapped := fmt.Errorf("fake: %w", tc.kind)
			p := httpadapter.ProblemFor(wrapped)
			assert.Equal(t, tc.status, p.Status)
			assert.Equal(t, tc.code, p.Code)
			if tc.code == httpadapter.CodeInternal {
				assert.NotContains(t, p.Detail, "boom", "internal details stay on the server")
			}

			f := memory.NewFaults()
			f.FailAll(wrapped)
			h, err := httpadapter.NewCRMHandler(memory.NewCRM(memory.WithFaults(f)))
			require.NoError(t, err)
			srv := httptest.NewServer(h)
			defer srv.Close()
			c, err := httpadapter.NewCRM(srv.URL, httpadapter.WithRetry(0, 0, 0))
			require.NoError(t, err)
			_, err = c.GetPartner(context.Background(), "t", "c")
			require.Error(t, err)
			var se *httpadapter.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.Status)
			if tc.code == httpadapter.CodeInternal {
				assert.ErrorIs(t, err, clientele.ErrUnavailable, "a 500 is the server's failure")
			} else {
				assert.ErrorIs(t, err, tc.kind)
				assert.Equal(t, clientele.Kind(tc.kind), clientele.Kind(err))
			}
		})
	}
}

// Without a problem code, the status alone decides the kind.
func TestKindForStatus(t *testing.T) {
	for status, kind := range map[int]error{
		400: clientele.ErrInvalid, 401: clientele.ErrUnauthenticated, 403: clientele.ErrForbidden, 404: clientele.ErrNotFound,
		409: clientele.ErrConflict, 412: clientele.ErrPrecondition, 422: clientele.ErrInvalid, 429: clientele.ErrUnavailable,
		500: clientele.ErrUnavailable, 502: clientele.ErrUnavailable, 503: clientele.ErrUnavailable, 501: adapters.ErrNotSupported,
	} {
		assert.ErrorIs(t, httpadapter.KindForStatus(status), kind, "%d", status)
	}
}

func rawServer(t *testing.T, h http.Handler, err error) *httptest.Server {
	t.Helper()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, body string, header map[string]string) (int, httpadapter.Problem, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var p httpadapter.Problem
	if resp.StatusCode >= 400 {
		assert.Equal(t, httpadapter.ProblemContentType, resp.Header.Get("Content-Type"))
		require.NoError(t, jsonUnmarshal(data, &p))
	}
	return resp.StatusCode, p, string(data)
}

// The handlers validate what they decode, whoever the client is.
func TestHandlerValidation(t *testing.T) {
	h, err := httpadapter.NewMessagingHandler(memory.NewMessaging())
	srv := rawServer(t, h, err)
	url := srv.URL + "/tenants/t1/messages"
	good := `{"kind":"otp","channel":"sms","recipient":"+254700000001","params":{"code":"1"}}`

	status, p, _ := post(t, url, good, map[string]string{httpadapter.IdempotencyKeyHeader: "k1"})
	assert.Equal(t, 200, status, "the header alone carries the key")

	for name, tc := range map[string]struct {
		body   string
		header map[string]string
		field  string
	}{
		"no key":         {good, nil, "idempotencyKey"},
		"keys disagree":  {`{"kind":"otp","channel":"sms","recipient":"+254700000001","idempotencyKey":"a"}`, map[string]string{httpadapter.IdempotencyKeyHeader: "b"}, "idempotencyKey"},
		"tenant differs": {`{"tenantId":"t2","kind":"otp","channel":"sms","recipient":"+254700000001","idempotencyKey":"a"}`, nil, "tenantId"},
		"malformed":      {`{"kind":`, nil, "body"},
		"empty":          {``, nil, "body"},
		"trailing":       {good + `{}`, map[string]string{httpadapter.IdempotencyKeyHeader: "k9"}, "body"},
		"wrong type":     {`{"kind":7}`, nil, "kind"},
		"bad recipient":  {`{"kind":"otp","channel":"sms","recipient":"x","idempotencyKey":"a"}`, nil, "recipient"},
	} {
		t.Run(name, func(t *testing.T) {
			status, p, body := post(t, url, tc.body, tc.header)
			require.Equal(t, 422, status, body)
			assert.Equal(t, httpadapter.CodeInvalid, p.Code)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			assert.Contains(t, fields, tc.field)
		})
	}
	_ = p
}

type bankOnly struct{ adapters.CoreBanking }

// A handler whose implementation lacks an optional ability answers 501, and the
// client reports adapters.ErrNotSupported (the suites skip on it).
func TestOptionalAbilityNotSupported(t *testing.T) {
	h, err := httpadapter.NewCoreBankingHandler(bankOnly{memory.NewCoreBanking()})
	srv := rawServer(t, h, err)
	c, err := httpadapter.NewCoreBanking(srv.URL)
	require.NoError(t, err)
	_, err = c.OpenAccount(context.Background(), adapters.OpenAccountRequest{TenantID: "t", ClientID: "c", Type: adapters.Savings, OpeningBalance: adapters.Money{Currency: "KES"}, IdempotencyKey: "k"})
	require.ErrorIs(t, err, adapters.ErrNotSupported)
	_, err = c.ListClients(context.Background(), adapters.ListClientsRequest{TenantID: "t"})
	require.ErrorIs(t, err, adapters.ErrNotSupported)
}

func TestNilImplementations(t *testing.T) {
	_, err := httpadapter.NewCoreBankingHandler(nil)
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = httpadapter.NewPersistenceHandler(nil)
	assert.ErrorIs(t, err, clientele.ErrInvalid)
	_, err = httpadapter.NewHandler(httpadapter.Implementations{})
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}
