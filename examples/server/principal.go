package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// DEVELOPMENT ONLY. Until bearer-token authentication arrives with the users
// package, the acting principal is read from these headers. Anyone who can reach the
// server can claim any identity with them: never expose a server running with them.
const (
	devHeaderTenant    = "X-Dev-Tenant"
	devHeaderUser      = "X-Dev-User"
	devHeaderRoles     = "X-Dev-Roles" // comma-separated role codes
	devHeaderKind      = "X-Dev-Kind"  // backoffice (default) or customer
	devHeaderAssociate = "X-Dev-Associate"
	devHeaderClient    = "X-Dev-Client"
)

type principalKey struct{}

// devPrincipal reads the development headers into a principal.
func devPrincipal(r *http.Request) (authz.Principal, error) {
	p := authz.Principal{
		TenantID:    r.Header.Get(devHeaderTenant),
		UserID:      r.Header.Get(devHeaderUser),
		Kind:        authz.Backoffice,
		AssociateID: r.Header.Get(devHeaderAssociate),
		ClientID:    r.Header.Get(devHeaderClient),
	}
	if p.TenantID == "" || p.UserID == "" {
		return authz.Principal{}, clientele.ErrUnauthenticated
	}
	if k := r.Header.Get(devHeaderKind); k != "" {
		kind, err := authz.ParsePermissionType(k)
		if err != nil {
			return authz.Principal{}, err
		}
		p.Kind = kind
	}
	for _, role := range strings.Split(r.Header.Get(devHeaderRoles), ",") {
		if role = strings.TrimSpace(role); role != "" {
			p.Roles = append(p.Roles, role)
		}
	}
	return p, nil
}

func withPrincipal(ctx context.Context, p authz.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) authz.Principal {
	p, _ := ctx.Value(principalKey{}).(authz.Principal)
	return p
}
