package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

type principalKey struct{}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", fmt.Errorf("send the session token as Authorization: Bearer <token>: %w", clientele.ErrUnauthenticated)
	}
	return strings.TrimSpace(token), nil
}

func withPrincipal(ctx context.Context, p authz.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalFrom returns the principal the authenticated middleware resolved. A
// handler mounted without that middleware gets a zero principal, which every
// service denies.
func principalFrom(ctx context.Context) authz.Principal {
	p, _ := ctx.Value(principalKey{}).(authz.Principal)
	return p
}
