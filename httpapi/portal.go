package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/portal"
)

// PortalPrefix is where the client self-service portal's routes live (seed
// 000: a root of their own, apart from the back-office API).
const PortalPrefix = "/client-portal/api/v1"

// registerPortal adds the routes of package portal: the customer wrappers
// under PortalPrefix and the back office's portal access of a client.
func (a *api) registerPortal(auth func(method, pattern string, h handlerFunc)) {
	ps := a.s.Portal

	// A client's portal access, managed by the back office.
	auth("GET", "/clients/profile/{reference}/portal-access", func(w http.ResponseWriter, r *http.Request) error {
		acc, err := ps.Access(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, acc)
		return nil
	})
	auth("PUT", "/clients/profile/{reference}/portal-access", body(a, http.StatusOK, func(r *http.Request, in portal.AccessInput) (portal.Access, error) {
		return ps.SetAccess(r.Context(), principal(r.Context()), r.PathValue("reference"), in)
	}))

	// The wrappers a logged-in client calls.
	auth("GET", PortalPrefix+"/savings", func(w http.ResponseWriter, r *http.Request) error {
		list, err := ps.Savings(r.Context(), principal(r.Context()))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, list)
		return nil
	})
	auth("GET", PortalPrefix+"/loans", func(w http.ResponseWriter, r *http.Request) error {
		list, err := ps.Loans(r.Context(), principal(r.Context()))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, list)
		return nil
	})
	// 201 with the completed transfer, or 202 with a pending one that the
	// outbox completes; a refused transfer is a 409 problem.
	auth("POST", PortalPrefix+"/accounttransfer", func(w http.ResponseWriter, r *http.Request) error {
		var in portal.TransferInput
		if err := decodeBody(w, r, a.maxBody, &in); err != nil {
			return err
		}
		t, err := ps.Transfer(r.Context(), principal(r.Context()), in, r.Header.Get("Idempotency-Key"))
		if err != nil {
			return err
		}
		status := http.StatusCreated
		if t.Status == portal.TransferPending {
			status = http.StatusAccepted
		}
		w.Header().Set("Location", "accounttransfer/"+url.PathEscape(t.ID))
		writeJSON(w, status, t)
		return nil
	})
	auth("GET", PortalPrefix+"/accounttransfer/{id}", func(w http.ResponseWriter, r *http.Request) error {
		t, err := ps.GetTransfer(r.Context(), principal(r.Context()), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	})
}

// unembed names the fields of a body's problems as the client sent them:
// encoding/json puts the name of an embedded struct (prefix) in front of the
// fields it decodes into it.
func unembed(err error, prefix string) error {
	var v *clientele.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	out := &clientele.ValidationError{}
	for _, p := range v.Problems {
		out.Add(strings.TrimPrefix(p.Field, prefix), p.Rule, p.Message)
	}
	return out
}
