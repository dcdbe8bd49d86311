package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/outbox"
	"github.com/clientele-go/clientele/portal"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// OpenAPI is the OpenAPI 3.1 document of the API, served at /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

// register hands every route to add, with its handler. The optional services'
// routes are added only when the service is there.
func (a *api) register(add func(Route, http.Handler)) {
	auth := func(method, pattern string, h handlerFunc) {
		add(Route{Method: method, Pattern: pattern}, a.authenticated(h))
	}
	public := func(method, pattern string, h handlerFunc) {
		add(Route{Method: method, Pattern: pattern, Public: true}, a.public(h))
	}

	public("GET", "/openapi.json", func(w http.ResponseWriter, _ *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(OpenAPI)
		return err
	})

	// Clients: list and search, create, read, update, status change.
	auth("GET", "/clients/profile", a.listClients)
	auth("POST", "/clients/profile", a.createClient)
	auth("GET", "/clients/profile/{reference}", a.getClient)
	auth("PUT", "/clients/profile/{reference}", a.updateClient)
	auth("POST", "/clients/profile/{reference}/status", a.transitionClient)

	// Clients: onboarding verification (manual KYC decision, checks run again).
	a.registerVerification(auth)
	// Clients: accounts, favourites, preferences (issue 12).
	a.registerClientReads(auth)

	// Roles and permissions.
	auth("GET", "/permissions", a.listPermissions)
	auth("GET", "/roles", a.listRoles)
	auth("POST", "/roles", a.createRole)
	auth("PUT", "/roles/{code}", a.updateRole)

	// Invitations, registration, login and logout.
	auth("POST", "/auth/invitations", body(a, http.StatusCreated, func(r *http.Request, in users.InviteInput) (users.User, error) {
		return a.s.Users.Invite(r.Context(), principal(r.Context()), in, r.Header.Get("Idempotency-Key"))
	}))
	auth("POST", "/auth/invitations/{id}/resend", a.userAction(func(ctx context.Context, p authz.Principal, id string) (users.User, error) {
		return a.s.Users.Reinvite(ctx, p, id)
	}))
	public("POST", "/auth/register/email", body(a, http.StatusOK, func(r *http.Request, in users.RegisterEmailInput) (users.Session, error) {
		return a.s.Users.RegisterEmail(r.Context(), in)
	}))
	public("POST", "/auth/register/social", body(a, http.StatusOK, func(r *http.Request, in users.SocialInput) (users.Session, error) {
		return a.s.Users.RegisterSocial(r.Context(), in)
	}))
	public("POST", "/auth/register/phone", body(a, http.StatusOK, func(r *http.Request, in users.VerifyPhoneInput) (users.Ticket, error) {
		return a.s.Users.VerifyPhone(r.Context(), in)
	}))
	public("POST", "/auth/register/phone/pin", body(a, http.StatusOK, func(r *http.Request, in users.SetPINInput) (users.Session, error) {
		return a.s.Users.SetPIN(r.Context(), in)
	}))
	public("POST", "/auth/login", body(a, http.StatusOK, func(r *http.Request, in users.PasswordLoginInput) (users.Session, error) {
		return a.s.Users.LoginPassword(r.Context(), in)
	}))
	public("POST", "/auth/login/pin", body(a, http.StatusOK, func(r *http.Request, in users.PINLoginInput) (users.Session, error) {
		return a.s.Users.LoginPIN(r.Context(), in)
	}))
	public("POST", "/auth/login/social", body(a, http.StatusOK, func(r *http.Request, in users.SocialInput) (users.Session, error) {
		return a.s.Users.LoginSocial(r.Context(), in)
	}))
	public("POST", "/auth/logout", func(w http.ResponseWriter, r *http.Request) error {
		token, err := BearerToken(r)
		if err != nil {
			return err
		}
		if err := a.s.Users.Logout(r.Context(), token); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	auth("GET", "/auth/me", func(w http.ResponseWriter, r *http.Request) error {
		u, err := a.s.Users.Me(r.Context(), principal(r.Context()))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	})

	// Users: back-office users by default, ?type=customer|all.
	auth("GET", "/users", func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		req := users.ListRequest{Type: q.Get("type"), Cursor: q.Get("cursor")}
		var err error
		if req.Limit, err = limit(q); err != nil {
			return err
		}
		page, err := a.s.Users.List(r.Context(), principal(r.Context()), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	})
	auth("GET", "/users/{id}", a.userAction(a.s.Users.Get))
	auth("POST", "/users/{id}/block", a.userAction(a.s.Users.Block))
	auth("POST", "/users/{id}/unblock", a.userAction(a.s.Users.Unblock))
	auth("PUT", "/users/{id}/roles", body(a, http.StatusOK, func(r *http.Request, in RolesInput) (users.User, error) {
		return a.s.Users.AssignRoles(r.Context(), principal(r.Context()), r.PathValue("id"), in.Roles)
	}))

	// Tenants administration.
	if a.s.Tenants != nil {
		auth("GET", "/tenants", func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			req := tenants.ListRequest{Cursor: q.Get("cursor")}
			var err error
			if req.Limit, err = limit(q); err != nil {
				return err
			}
			page, err := a.s.Tenants.List(r.Context(), principal(r.Context()), req)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, page)
			return nil
		})
		auth("POST", "/tenants", body(a, http.StatusCreated, func(r *http.Request, in tenants.Tenant) (tenants.Tenant, error) {
			return a.s.Tenants.Create(r.Context(), principal(r.Context()), in)
		}))
		auth("GET", "/tenants/{id}", func(w http.ResponseWriter, r *http.Request) error {
			t, err := a.s.Tenants.Get(r.Context(), principal(r.Context()), r.PathValue("id"))
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, t)
			return nil
		})
		auth("PATCH", "/tenants/{id}", body(a, http.StatusOK, func(r *http.Request, in tenants.Change) (tenants.Tenant, error) {
			return a.s.Tenants.Update(r.Context(), principal(r.Context()), r.PathValue("id"), in)
		}))
	}

	// Effects: what the library still has to deliver to the adapters.
	if a.s.Outbox != nil {
		auth("GET", "/effects", func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			in := outbox.ListInput{Status: q.Get("status"), EntityKind: q.Get("entityKind"), EntityID: q.Get("entityId"), Cursor: q.Get("cursor")}
			var err error
			if in.Limit, err = limit(q); err != nil {
				return err
			}
			page, err := a.s.Outbox.List(r.Context(), principal(r.Context()), in)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, page)
			return nil
		})
		auth("POST", "/effects/{key}/replay", func(w http.ResponseWriter, r *http.Request) error {
			rec, err := a.s.Outbox.Replay(r.Context(), principal(r.Context()), r.PathValue("key"))
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, rec)
			return nil
		})
	}

	// Client devices (CL007, CL010–CL013).
	a.registerDevices(auth)

	// Offices, classifications, associates and their links.
	if a.s.Associates != nil {
		a.registerAssociates(auth)
	}

	// Archiving a client (CL005).
	a.registerArchive(auth)
	// The client self-service portal and a client's portal access.
	if a.s.Portal != nil {
		a.registerPortal(auth)
	}
}

// RolesInput is the body of PUT /users/{id}/roles: the user's roles, all of
// them (the call replaces the user's roles).
type RolesInput struct {
	Roles []string `json:"roles"`
}

// TransitionInput is the body of POST /clients/profile/{reference}/status.
type TransitionInput struct {
	Status clients.State `json:"status"`
	// Version is the client's version the caller read.
	Version int64 `json:"version"`
}

// body decodes a JSON request body into In, calls fn and answers with its
// result and status.
func body[In, Out any](a *api, status int, fn func(r *http.Request, in In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decodeBody(w, r, a.maxBody, &in); err != nil {
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

// limit reads the limit query parameter: 0 when absent.
func limit(q url.Values) (int, error) {
	l := q.Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil {
		return 0, clientele.NewValidationError("limit", "type", "must be a whole number")
	}
	return n, nil
}

// userAction serves a call on one user named by the {id} path segment.
func (a *api) userAction(fn func(ctx context.Context, p authz.Principal, id string) (users.User, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := fn(r.Context(), principal(r.Context()), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}
}

// listClients serves the client list, filtered by ?filter=… when given.
func (a *api) listClients(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req := clients.ListRequest{Filter: q.Get("filter"), Cursor: q.Get("cursor")}
	var err error
	if req.Limit, err = limit(q); err != nil {
		return err
	}
	if a.s.Portal != nil { // with each client's portal access
		page, err := a.s.Portal.ListClients(r.Context(), principal(r.Context()), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	}
	page, err := a.s.Clients.List(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// createClient creates a client. An Idempotency-Key header makes retries safe.
// The Location header is relative ("profile/<reference>"), so it is right
// whatever prefix the API is mounted under.
func (a *api) createClient(w http.ResponseWriter, r *http.Request) error {
	if a.s.Portal != nil { // the body may also grant portal access
		var in portal.NewClient
		if err := decodeBody(w, r, a.maxBody, &in); err != nil {
			return unembed(err, "CreateInput.")
		}
		c, err := a.s.Portal.CreateClient(r.Context(), principal(r.Context()), in, r.Header.Get("Idempotency-Key"))
		if err != nil {
			return err
		}
		w.Header().Set("Location", "profile/"+url.PathEscape(c.Reference))
		writeJSON(w, http.StatusCreated, c)
		return nil
	}
	var in clients.CreateInput
	if err := decodeBody(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.s.Clients.Create(r.Context(), principal(r.Context()), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "profile/"+url.PathEscape(c.Reference))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// getClient reads one client by reference, with what core banking, the
// document processor and the CRM hold about it (CL002): a source that fails or
// is late is named in "missing", never an error.
func (a *api) getClient(w http.ResponseWriter, r *http.Request) error {
	if a.s.Portal != nil { // with its portal access
		c, err := a.s.Portal.GetClient(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
	c, err := a.s.Clients.Details(r.Context(), principal(r.Context()), r.PathValue("reference"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// updateClient replaces a client's profile: the body is the whole profile and
// the version read; a field left out is cleared.
func (a *api) updateClient(w http.ResponseWriter, r *http.Request) error {
	var in clients.UpdateInput
	if err := decodeBody(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.s.Clients.Update(r.Context(), principal(r.Context()), r.PathValue("reference"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// transitionClient moves a client between pending, active and suspended.
func (a *api) transitionClient(w http.ResponseWriter, r *http.Request) error {
	var in TransitionInput
	if err := decodeBody(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.s.Clients.Transition(r.Context(), principal(r.Context()), r.PathValue("reference"), in.Status, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// listPermissions serves GET /permissions?type=all|employee|customer (default
// employee).
func (a *api) listPermissions(w http.ResponseWriter, r *http.Request) error {
	t, err := authz.ParseListType(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	perms, err := a.s.Roles.ListPermissions(r.Context(), principal(r.Context()), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": perms})
	return nil
}

// listRoles serves GET /roles?type=all|employee|customer (default employee).
func (a *api) listRoles(w http.ResponseWriter, r *http.Request) error {
	t, err := authz.ParseListType(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	roles, err := a.s.Roles.ListRoles(r.Context(), principal(r.Context()), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": roles})
	return nil
}

// createRole serves POST /roles; a role mixing back-office and customer
// permissions is refused naming the offending permission.
func (a *api) createRole(w http.ResponseWriter, r *http.Request) error {
	var in authz.Role
	if err := decodeBody(w, r, a.maxBody, &in); err != nil {
		return err
	}
	role, err := a.s.Roles.CreateRole(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, role)
	return nil
}

// updateRole serves PUT /roles/{code}: name and permissions; the type cannot
// change.
func (a *api) updateRole(w http.ResponseWriter, r *http.Request) error {
	var in authz.Role
	if err := decodeBody(w, r, a.maxBody, &in); err != nil {
		return err
	}
	in.Code = r.PathValue("code")
	role, err := a.s.Roles.UpdateRole(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}
