package testkit

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

// SocialStandIn stands in for a social sign-in provider (OAuth/OIDC), for the
// tests and the example server's demo: a credential is
// base64url(JSON users.SocialAssertion) "." base64url(HMAC-SHA256 of that part),
// keyed with Key. A real application verifies the provider's ID token instead
// (signature, issuer, audience, expiry) and returns what it asserts.
type SocialStandIn struct{ Key []byte }

var _ users.SocialVerifier = SocialStandIn{}

// VerifySocial implements users.SocialVerifier.
func (s SocialStandIn) VerifySocial(_ context.Context, provider, credential string) (users.SocialAssertion, error) {
	body, sig, ok := strings.Cut(credential, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(body))) {
		return users.SocialAssertion{}, fmt.Errorf("social credential does not verify: %w", clientele.ErrUnauthenticated)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	var a users.SocialAssertion
	if err != nil || json.Unmarshal(raw, &a) != nil || a.Provider != provider {
		return users.SocialAssertion{}, fmt.Errorf("social credential does not verify: %w", clientele.ErrUnauthenticated)
	}
	return a, nil
}

// Mint issues a credential for a, as the stand-in provider.
func (s SocialStandIn) Mint(a users.SocialAssertion) string {
	raw, _ := json.Marshal(a)
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + s.sign(body)
}

func (s SocialStandIn) sign(body string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
