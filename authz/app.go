package authz

import (
	"fmt"

	"github.com/clientele-go/clientele"
)

// App is a product a tenant subscribes to; policies test its state through the
// attribute org.apps.<app> (org.apps.retail eq active). The app names are the
// constants AppBackoffice and AppRetail; this package is their only home (the
// tenants package stores subscriptions with these types).
type App string

// Apps returns every app the library knows, in name order.
func Apps() []App { return []App{AppBackoffice, AppRetail} }

// ParseApp accepts the name of a known app ("backoffice", "retail").
func ParseApp(s string) (App, error) {
	for _, a := range Apps() {
		if string(a) == s {
			return a, nil
		}
	}
	return "", fmt.Errorf("authz: app %q: want backoffice or retail: %w", s, clientele.ErrInvalid)
}

// AppState is the state of one app subscription.
type AppState string

// Subscription states.
const (
	AppActive   AppState = "active"
	AppInactive AppState = "inactive"
)

// ParseAppState accepts "active" and "inactive".
func ParseAppState(s string) (AppState, error) {
	switch st := AppState(s); st {
	case AppActive, AppInactive:
		return st, nil
	}
	return "", fmt.Errorf("authz: app state %q: want active or inactive: %w", s, clientele.ErrInvalid)
}
