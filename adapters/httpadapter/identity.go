package httpadapter

import (
	"context"
	"net/http"

	"github.com/clientele-go/clientele/adapters"
)

var _ adapters.Identity = (*Identity)(nil)

// Identity is the HTTP client of the identity contract.
type Identity struct{ c *conn }

// NewIdentity returns a client of the identity handler mounted at baseURL.
func NewIdentity(baseURL string, opts ...Option) (*Identity, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Identity{c}, nil
}

func userPath(tenantID, subjectID string) string {
	return tenantPath(tenantID) + "/users/" + esc(subjectID)
}

// CreateUser implements adapters.Identity.
func (s *Identity) CreateUser(ctx context.Context, req adapters.CreateUserRequest) (adapters.IdentityUser, error) {
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	return do[adapters.IdentityUser](ctx, s.c, http.MethodPost, tenantPath(req.TenantID)+"/users", nil, req.IdempotencyKey, req)
}

// UpdateUser implements adapters.Identity.
func (s *Identity) UpdateUser(ctx context.Context, req adapters.UpdateUserRequest) (adapters.IdentityUser, error) {
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	return do[adapters.IdentityUser](ctx, s.c, http.MethodPut, userPath(req.TenantID, req.SubjectID), nil, req.IdempotencyKey, req)
}

// DeactivateUser implements adapters.Identity.
func (s *Identity) DeactivateUser(ctx context.Context, req adapters.DeactivateUserRequest) (adapters.IdentityUser, error) {
	if err := req.Validate(); err != nil {
		return adapters.IdentityUser{}, err
	}
	return do[adapters.IdentityUser](ctx, s.c, http.MethodPost, userPath(req.TenantID, req.SubjectID)+"/deactivate", nil, req.IdempotencyKey, req)
}

// GetUser implements adapters.Identity.
func (s *Identity) GetUser(ctx context.Context, tenantID, subjectID string) (adapters.IdentityUser, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "subjectId", Value: subjectID}); err != nil {
		return adapters.IdentityUser{}, err
	}
	return do[adapters.IdentityUser](ctx, s.c, http.MethodGet, userPath(tenantID, subjectID), nil, "", nil)
}

// CreateDID implements adapters.Identity.
func (s *Identity) CreateDID(ctx context.Context, req adapters.CreateDIDRequest) (adapters.DID, error) {
	if err := req.Validate(); err != nil {
		return adapters.DID{}, err
	}
	return do[adapters.DID](ctx, s.c, http.MethodPost, userPath(req.TenantID, req.SubjectID)+"/did", nil, req.IdempotencyKey, req)
}

// NewIdentityHandler serves the identity contract over impl.
func NewIdentityHandler(impl adapters.Identity) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewIdentityHandler")
	}
	return newMux(identityRoutes(impl)), nil
}

func identityRoutes(impl adapters.Identity) []route {
	return []route{
		changeRoute("POST", "/tenants/{tenantId}/users", "CreateUser", "IU001 Create user profile", maxBodyBytes,
			func(r *adapters.CreateUserRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.CreateUserRequest) []binding { return []binding{bind("tenantId", &r.TenantID)} },
			impl.CreateUser),
		readRoute("/tenants/{tenantId}/users/{subjectId}", "GetUser", "Read user profile", nil,
			func(r *http.Request) (adapters.IdentityUser, error) {
				return impl.GetUser(r.Context(), r.PathValue("tenantId"), r.PathValue("subjectId"))
			}),
		changeRoute("PUT", "/tenants/{tenantId}/users/{subjectId}", "UpdateUser", "IU002 Update user profile", maxBodyBytes,
			func(r *adapters.UpdateUserRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.UpdateUserRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("subjectId", &r.SubjectID)}
			},
			impl.UpdateUser),
		changeRoute("POST", "/tenants/{tenantId}/users/{subjectId}/deactivate", "DeactivateUser", "IU003 Deactivate user profile", maxBodyBytes,
			func(r *adapters.DeactivateUserRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.DeactivateUserRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("subjectId", &r.SubjectID)}
			},
			impl.DeactivateUser),
		changeRoute("POST", "/tenants/{tenantId}/users/{subjectId}/did", "CreateDID", "Create the subject's DID (borrower registration)", maxBodyBytes,
			func(r *adapters.CreateDIDRequest) *string { return &r.IdempotencyKey },
			func(r *adapters.CreateDIDRequest) []binding {
				return []binding{bind("tenantId", &r.TenantID), bind("subjectId", &r.SubjectID)}
			},
			impl.CreateDID),
	}
}
