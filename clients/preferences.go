package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/internal/textcheck"
	"github.com/clientele-go/clientele/outbox"
)

// OpSyncPreferences is the outbox operation that writes a client's
// preferences to the Persistence adapter's settings (PutSettings). It is the
// library's own code: the seeds' Persistence table has no operation for it.
const OpSyncPreferences = "PS001"

// Preferences are a client's preferences and service configuration (seed 002,
// "Client Profile Management"): string values by key, held by the Persistence
// adapter as the settings of the member whose ID is the client's ID.
type Preferences struct {
	Reference string            `json:"reference"`
	Values    map[string]string `json:"values"`
	// Version is the version of the values at the Persistence adapter; a
	// change names the version it read (optimistic locking). 0: none set.
	Version int64 `json:"version"`
	// Pending is set on the answer of SetPreferences: the change is committed
	// and on its way to the adapter (an outbox effect); Version is the version
	// it will have there.
	Pending bool `json:"pending,omitempty"`
}

// PreferencesInput replaces a client's preferences: all of them, at the
// version the caller read.
type PreferencesInput struct {
	Values map[string]string `json:"values"`
	// Version is the Preferences.Version the caller read (0 when none were
	// set).
	Version int64 `json:"version"`
}

// ChangeRecorder writes a change that has no row of its own in the store:
// its audit entry and effects, in one transaction (the caller's, when ctx
// carries one). With ch.Serial it first refuses, with an error wrapping
// clientele.ErrConflict and writing nothing, while an effect of the same
// operation on the same entity as ch's first effect is still pending;
// concurrent serial changes of one entity are decided one after the other.
type ChangeRecorder interface {
	Record(ctx context.Context, ch Change) error
}

// preferencesParams are the Params of a PS001 effect.
type preferencesParams struct {
	Values          map[string]string `json:"values"`
	ExpectedVersion int64             `json:"expectedVersion"`
}

// Preferences reads a client's preferences from the Persistence adapter. It is
// authorized as viewing the client (CL002) and reads the client as Get does.
// The adapter failing, or not configured, is ErrUnavailable.
func (s *Service) Preferences(ctx context.Context, p authz.Principal, reference string) (Preferences, error) {
	fail := func(err error) (Preferences, error) {
		return Preferences{}, fmt.Errorf("clients: preferences %s: %w", reference, err)
	}
	c, _, err := s.readAuthorized(ctx, p, authz.OpViewClient, reference)
	if err != nil {
		return fail(err)
	}
	st, err := s.settings(ctx, c)
	if err != nil {
		return fail(err)
	}
	return Preferences{Reference: c.Reference, Values: st.Values, Version: st.Version}, nil
}

func (s *Service) settings(ctx context.Context, c Client) (adapters.MemberSettings, error) {
	if s.adapters.Persistence == nil {
		return adapters.MemberSettings{}, &UnavailableError{Source: SourcePersistence, Err: errors.New("not configured")}
	}
	st, err := s.adapters.Persistence.GetSettings(ctx, c.TenantID, c.ID)
	if err != nil {
		if ctx.Err() != nil {
			return adapters.MemberSettings{}, ctx.Err()
		}
		return adapters.MemberSettings{}, &UnavailableError{Source: SourcePersistence, Err: err}
	}
	if st.Values == nil {
		st.Values = map[string]string{}
	}
	return st, nil
}

// SourcePersistence is the Persistence adapter, as an UnavailableError names
// it.
const SourcePersistence Source = "persistence"

// SetPreferences replaces a client's preferences (all of them). It is
// authorized as an update of the client (CL004: the permissions that update
// a profile, P_RE_002's assignment rule, and on a staff-owned client the
// employee-account permission), after the client is read as Get does.
//
// in.Version must be the version the adapter holds now (ErrConflict
// otherwise). The change is then written as its audit entry (changed keys,
// with the values before and after) and one PS001 outbox effect in one
// transaction; the effect's handler (PreferencesHandlers) writes the values
// to the adapter at that version. The answer is the preferences as they will
// be, marked Pending. While that change is still pending, another one is
// refused with ErrConflict and writes nothing (Change.Serial), so two changes
// from the same version that pass the check at once cannot both be
// committed. A change made from a version read just before an earlier one
// reached the adapter still fails there: the adapter writes at the expected
// version only, and the effect is parked with its conflict, visible in the
// outbox and in the audit trail.
func (s *Service) SetPreferences(ctx context.Context, p authz.Principal, reference string, in PreferencesInput) (Preferences, error) {
	fail := func(err error) (Preferences, error) {
		return Preferences{}, fmt.Errorf("clients: set preferences %s: %w", reference, err)
	}
	c, _, err := s.readAuthorized(ctx, p, authz.OpUpdateClient, reference)
	if err != nil {
		return fail(err)
	}
	if err := checkPreferences(in); err != nil {
		return fail(err)
	}
	cur, err := s.settings(ctx, c)
	if err != nil {
		return fail(err)
	}
	if cur.Version != in.Version {
		return fail(fmt.Errorf("version %d is stale, the preferences are at version %d: %w", in.Version, cur.Version, clientele.ErrConflict))
	}
	values := maps.Clone(in.Values)
	if values == nil {
		values = map[string]string{}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fail(err)
	}
	params, err := json.Marshal(preferencesParams{Values: values, ExpectedVersion: in.Version})
	if err != nil {
		return fail(err)
	}
	var changed []string
	for k := range values {
		if v, ok := cur.Values[k]; !ok || v != values[k] {
			changed = append(changed, "preferences."+k)
		}
	}
	for k := range cur.Values {
		if _, ok := values[k]; !ok {
			changed = append(changed, "preferences."+k)
		}
	}
	slices.Sort(changed)
	now := s.now().UTC()
	e := s.entry(p, authz.OpUpdateClient, c.ID, changed, now)
	if e.Before, err = json.Marshal(map[string]any{"preferences": cur.Values, "version": cur.Version}); err != nil {
		return fail(err)
	}
	if e.After, err = json.Marshal(map[string]any{"preferences": values, "version": in.Version + 1}); err != nil {
		return fail(err)
	}
	err = s.store.Record(ctx, Change{Audit: e, Serial: true, Effects: []outbox.Effect{{
		TenantID: c.TenantID, Op: OpSyncPreferences, Target: outbox.Persistence,
		Entity: outbox.Entity{Kind: EntityKind, ID: c.ID},
		Key:    fmt.Sprintf("client:%s:preferences:v%d:%s", c.ID, in.Version+1, id),
		Params: params,
	}}})
	if err != nil {
		return fail(err)
	}
	return Preferences{Reference: c.Reference, Values: values, Version: in.Version + 1, Pending: true}, nil
}

// checkPreferences applies the Persistence contract's limits before anything
// is written: at most adapters.MaxSettings values, keys of 1 to
// adapters.MaxSettingKeyLen bytes, values of at most
// adapters.MaxSettingValueBytes, all one line of valid UTF-8 without control
// characters.
func checkPreferences(in PreferencesInput) error {
	verr := &clientele.ValidationError{}
	if in.Version < 0 {
		verr.Add("version", "min", "must not be negative")
	}
	if len(in.Values) > adapters.MaxSettings {
		verr.Add("values", "max", fmt.Sprintf("at most %d values", adapters.MaxSettings))
		return verr
	}
	for _, k := range slices.Sorted(maps.Keys(in.Values)) {
		if k == "" {
			verr.Add("values", "key", "keys must not be empty")
			continue
		}
		if !textcheck.Line(verr, "values", k, adapters.MaxSettingKeyLen) {
			continue
		}
		if len(k) > adapters.MaxSettingKeyLen {
			verr.Add("values", "max", fmt.Sprintf("keys are at most %d bytes", adapters.MaxSettingKeyLen))
			continue
		}
		v := in.Values[k]
		if textcheck.Line(verr, "values."+k, v, 0) && len(v) > adapters.MaxSettingValueBytes {
			verr.Add("values."+k, "max", fmt.Sprintf("must be at most %d bytes", adapters.MaxSettingValueBytes))
		}
	}
	return verr.OrNil()
}

// PreferencesHandlers returns the outbox handler of PS001 effects: it writes
// the values to the Persistence adapter's settings of the client at the
// version the change was made from, under the effect's key (a retried
// delivery replays the first write). A conflict there (another change reached
// the adapter first) parks the effect. With a nil a.Persistence it returns no
// handler, and the effects are skipped.
func PreferencesHandlers(a Adapters) outbox.Handlers {
	if a.Persistence == nil {
		return outbox.Handlers{}
	}
	return outbox.Handlers{OpSyncPreferences: preferencesHandler{a.Persistence}}
}

type preferencesHandler struct{ s adapters.Settings }

func (h preferencesHandler) Deliver(ctx context.Context, d outbox.Delivery) (outbox.Progress, error) {
	var ps preferencesParams
	if err := json.Unmarshal(d.Params, &ps); err != nil {
		return d.Progress, outbox.Permanent(fmt.Errorf("clients: PS001 effect %s: %w", d.Key, clientele.ErrInvalid))
	}
	_, err := h.s.PutSettings(ctx, adapters.PutSettingsRequest{
		TenantID: d.TenantID, MemberID: d.Entity.ID, Values: ps.Values,
		ExpectedVersion: ps.ExpectedVersion, IdempotencyKey: d.Key,
	})
	if err != nil {
		return d.Progress, classify(err)
	}
	return d.Progress, nil
}
