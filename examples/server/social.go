package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/users"
)

// demoSocial stands in for a real OAuth/OIDC provider so the social registration
// and login flows can be tried without one. A credential is
// base64url(JSON users.SocialAssertion) "." base64url(HMAC-SHA256 of that part),
// keyed with CLIENTELE_DEMO_SOCIAL_KEY. A real application verifies the provider's
// ID token here instead (signature, issuer, audience, expiry) and returns what it
// asserts.
type demoSocial struct{ key []byte }

func (d demoSocial) VerifySocial(_ context.Context, provider, credential string) (users.SocialAssertion, error) {
	body, sig, ok := strings.Cut(credential, ".")
	if !ok {
		return users.SocialAssertion{}, fmt.Errorf("social credential is malformed: %w", clientele.ErrUnauthenticated)
	}
	want := d.sign(body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return users.SocialAssertion{}, fmt.Errorf("social credential does not verify: %w", clientele.ErrUnauthenticated)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	var a users.SocialAssertion
	if err != nil || json.Unmarshal(raw, &a) != nil || a.Provider != provider {
		return users.SocialAssertion{}, fmt.Errorf("social credential does not verify: %w", clientele.ErrUnauthenticated)
	}
	return a, nil
}

func (d demoSocial) sign(body string) string {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// mint issues a credential for a, as the stand-in provider.
func (d demoSocial) mint(a users.SocialAssertion) string {
	raw, _ := json.Marshal(a)
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + d.sign(body)
}
