package main

import (
	"context"
	"net/http"
	"strconv"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/users"
)

// handle decodes a JSON body into In, calls fn and answers with its result.
func handle[In, Out any](status int, fn func(r *http.Request, in In) (Out, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decodeBody(w, r, &in); err != nil {
			return err
		}
		out, err := fn(r, in)
		if err != nil {
			return err
		}
		writeJSON(w, status, out)
		return nil
	}
}

// public wraps a handler that needs no session (registration, login).
func (a *app) public(h func(http.ResponseWriter, *http.Request) error) publicHandler {
	return publicHandler{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, a.log, err)
		}
	})}
}

func (a *app) authRoutes(mux *router) {
	auth := a.authenticated
	// Invitation (seed 003): by the node operator or an originator admin.
	mux.Handle("POST /auth/invitations", auth(handle(http.StatusCreated, func(r *http.Request, in users.InviteInput) (users.User, error) {
		return a.users.Invite(r.Context(), principalFrom(r.Context()), in, r.Header.Get("Idempotency-Key"))
	})))
	mux.Handle("POST /auth/invitations/{id}/resend", auth(func(w http.ResponseWriter, r *http.Request) error {
		u, err := a.users.Reinvite(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}))
	// Registration channels.
	mux.Handle("POST /auth/register/email", a.public(handle(http.StatusOK, func(r *http.Request, in users.RegisterEmailInput) (users.Session, error) {
		return a.users.RegisterEmail(r.Context(), in)
	})))
	mux.Handle("POST /auth/register/social", a.public(handle(http.StatusOK, func(r *http.Request, in users.SocialInput) (users.Session, error) {
		return a.users.RegisterSocial(r.Context(), in)
	})))
	mux.Handle("POST /auth/register/phone", a.public(handle(http.StatusOK, func(r *http.Request, in users.VerifyPhoneInput) (users.Ticket, error) {
		return a.users.VerifyPhone(r.Context(), in)
	})))
	mux.Handle("POST /auth/register/phone/pin", a.public(handle(http.StatusOK, func(r *http.Request, in users.SetPINInput) (users.Session, error) {
		return a.users.SetPIN(r.Context(), in)
	})))
	// Login and logout.
	mux.Handle("POST /auth/login", a.public(handle(http.StatusOK, func(r *http.Request, in users.PasswordLoginInput) (users.Session, error) {
		return a.users.LoginPassword(r.Context(), in)
	})))
	mux.Handle("POST /auth/login/pin", a.public(handle(http.StatusOK, func(r *http.Request, in users.PINLoginInput) (users.Session, error) {
		return a.users.LoginPIN(r.Context(), in)
	})))
	mux.Handle("POST /auth/login/social", a.public(handle(http.StatusOK, func(r *http.Request, in users.SocialInput) (users.Session, error) {
		return a.users.LoginSocial(r.Context(), in)
	})))
	mux.Handle("POST /auth/logout", a.public(func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r)
		if err != nil {
			return err
		}
		if err := a.users.Logout(r.Context(), token); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	mux.Handle("GET /auth/me", auth(func(w http.ResponseWriter, r *http.Request) error {
		u, err := a.users.Me(r.Context(), principalFrom(r.Context()))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}))

	// Users (seed 000: back-office users by default, ?type=customer|all).
	mux.Handle("GET /users", auth(func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		req := users.ListRequest{Type: q.Get("type"), Cursor: q.Get("cursor")}
		if l := q.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil {
				return clientele.NewValidationError("limit", "type", "must be a whole number")
			}
			req.Limit = n
		}
		page, err := a.users.List(r.Context(), principalFrom(r.Context()), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	}))
	mux.Handle("GET /users/{id}", auth(a.userAction(a.users.Get)))
	mux.Handle("POST /users/{id}/block", auth(a.userAction(a.users.Block)))
	mux.Handle("POST /users/{id}/unblock", auth(a.userAction(a.users.Unblock)))
}

// userAction serves a call on one user named by the {id} path segment.
func (a *app) userAction(fn func(ctx context.Context, p authz.Principal, id string) (users.User, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := fn(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}
}
