package tenants

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/authz"
)

// Length bounds of a tenant's strings.
const (
	MaxIDLen      = 64  // Tenant.ID
	MaxNameLen    = 200 // Tenant.Name
	MaxSettingLen = 64  // each Settings value
	maxPresetLen  = 64
	maxUserIDLen  = 64
)

// Tenant is one institution.
type Tenant struct {
	// ID is the tenant's stable identifier: 1–64 characters, letters, digits,
	// '-', '_' and '.'. It cannot be changed.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Preset names the authorization catalogue the tenant's catalogue is built on:
	// authz.PresetBackofficePlatform or authz.PresetRetailEngine. It is fixed at
	// creation (see Service.Update).
	Preset string `json:"preset"`
	// Apps holds the tenant's subscriptions. An app that is not listed is not
	// subscribed: a policy testing it (org.apps.retail eq active) does not hold.
	Apps map[authz.App]authz.AppState `json:"apps"`
	// ClientPortal is the organisation-wide switch of the client self-service portal
	// (seed 000: c_configuration client_portal).
	ClientPortal bool `json:"clientPortal"`
	// Settings are tenant-level settings, such as the settlement account that
	// receives a client's remaining savings when it is archived (CL005:
	// clients.Service.Archive and its saga read it).
	Settings Settings `json:"settings"`
	// Version counts the tenant's changes, starting at 1; Update must be given
	// the version the caller read.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	// UpdatedAt is the time of the last change (CreatedAt until the first).
	UpdatedAt time.Time `json:"updatedAt"`
}

// Settings are a tenant's configuration values.
type Settings struct {
	SettlementAccount string `json:"settlementAccount,omitempty"`
	// RequireVerifiedOnboarding says whether a client may be activated
	// (pending → active) only once its onboarding checks — identity, KYC
	// documents and compliance screening — have passed and its KYC status
	// is not rejected (package clients). Unset means true: a tenant turns
	// the rule off by setting it to false.
	RequireVerifiedOnboarding *bool `json:"requireVerifiedOnboarding,omitempty"`
}

// VerifiedOnboardingRequired reports RequireVerifiedOnboarding, true when
// unset.
func (s Settings) VerifiedOnboardingRequired() bool {
	return s.RequireVerifiedOnboarding == nil || *s.RequireVerifiedOnboarding
}

// Validate checks a tenant before it is stored: the ID's form, a name, a known
// preset, known apps in a known state, and no control characters or over-long
// values in any string. It returns a *clientele.ValidationError naming every
// failing field.
func (t Tenant) Validate() error {
	verr := &clientele.ValidationError{}
	checkID(verr, "id", t.ID)
	checkText(verr, "name", t.Name, MaxNameLen, true)
	checkPreset(verr, t.Preset)
	checkApps(verr, t.Apps)
	t.Settings.check(verr)
	return verr.OrNil()
}

func (s Settings) check(verr *clientele.ValidationError) {
	checkText(verr, "settings.settlementAccount", s.SettlementAccount, MaxSettingLen, false)
}

// checkID accepts 1–MaxIDLen letters, digits, '-', '_' and '.'.
func checkID(verr *clientele.ValidationError, field, id string) {
	if id == "" || len(id) > MaxIDLen {
		verr.Add(field, "required", fmt.Sprintf("is required, at most %d characters", MaxIDLen))
		return
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			verr.Add(field, "charset", "may hold only letters, digits, '-', '_' and '.'")
			return
		}
	}
}

// validID reports whether id is a well-formed tenant ID.
func validID(id string) bool {
	v := &clientele.ValidationError{}
	checkID(v, "id", id)
	return v.OrNil() == nil
}

// checkText refuses invalid UTF-8, NUL and other control characters, and values
// longer than max characters (or empty, when required).
func checkText(verr *clientele.ValidationError, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		verr.Add(field, "required", "is required")
	case !utf8.ValidString(s):
		verr.Add(field, "utf8", "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		verr.Add(field, "max", fmt.Sprintf("must be at most %d characters", max))
	case strings.ContainsFunc(s, isControl):
		verr.Add(field, "control", "must not contain NUL or other control characters")
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func checkPreset(verr *clientele.ValidationError, preset string) {
	if _, ok := authz.Preset(preset); ok {
		return
	}
	shown := preset
	if len(shown) > maxPresetLen || strings.ContainsFunc(shown, isControl) || !utf8.ValidString(shown) {
		shown = "(not shown)"
	}
	verr.Add("preset", "oneof", fmt.Sprintf("must be %s or %s, not %q",
		authz.PresetBackofficePlatform, authz.PresetRetailEngine, shown))
}

func checkApps(verr *clientele.ValidationError, apps map[authz.App]authz.AppState) {
	keys := make([]authz.App, 0, len(apps))
	for app := range apps {
		keys = append(keys, app)
	}
	slices.Sort(keys) // problems in a stable order
	for _, app := range keys {
		if _, err := authz.ParseApp(string(app)); err != nil {
			verr.Add("apps", "oneof", fmt.Sprintf("unknown app %q: the apps are backoffice and retail", shownKey(string(app))))
			continue
		}
		if _, err := authz.ParseAppState(string(apps[app])); err != nil {
			verr.Add(fmt.Sprintf("apps.%s", app), "oneof", "must be active or inactive")
		}
	}
}

// shownKey keeps an unknown key readable in an error message.
func shownKey(s string) string {
	if len(s) > 32 || strings.ContainsFunc(s, isControl) || !utf8.ValidString(s) {
		return "(not shown)"
	}
	return s
}

// clone returns t with its own copy of Apps.
func (t Tenant) clone() Tenant {
	if t.Apps != nil {
		apps := make(map[authz.App]authz.AppState, len(t.Apps))
		for k, v := range t.Apps {
			apps[k] = v
		}
		t.Apps = apps
	}
	return t
}
