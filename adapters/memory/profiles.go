package memory

import (
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

// profileRecord is what the profile-holding fakes (core banking clients, identity
// users, CRM partners) keep for one profile.
type profileRecord struct {
	tenantID, id, externalID string
	profile                  adapters.Profile
	status                   adapters.Status
	createdAt, updatedAt     time.Time
}

// profiles is the create / update / deactivate / get logic those fakes share.
// Callers hold the fake's mutex.
type profiles struct {
	what   string // "CRM partner", for errors
	prefix string // of external IDs
	recs   map[string]*profileRecord
	seq    int
}

func newProfiles(what, prefix string) profiles {
	return profiles{what: what, prefix: prefix, recs: map[string]*profileRecord{}}
}

func (p *profiles) create(tenantID, id string, prof adapters.Profile, now time.Time) (*profileRecord, error) {
	k := tk(tenantID, id)
	if _, ok := p.recs[k]; ok {
		return nil, fmt.Errorf("memory: %s %q exists: %w", p.what, id, clientele.ErrConflict)
	}
	p.seq++
	r := &profileRecord{tenantID: tenantID, id: id, externalID: fmt.Sprintf("%s%08d", p.prefix, p.seq),
		profile: prof.Clone(), status: adapters.StatusActive, createdAt: now, updatedAt: now}
	p.recs[k] = r
	return r, nil
}

func (p *profiles) get(tenantID, id string) (*profileRecord, error) {
	r, ok := p.recs[tk(tenantID, id)]
	if !ok {
		return nil, notFound(p.what, id)
	}
	return r, nil
}

func (p *profiles) update(tenantID, id string, prof adapters.Profile, now time.Time) (*profileRecord, error) {
	r, err := p.get(tenantID, id)
	if err != nil {
		return nil, err
	}
	if r.status != adapters.StatusActive {
		return nil, fmt.Errorf("memory: %s %q is %s: %w", p.what, id, r.status, clientele.ErrPrecondition)
	}
	r.profile, r.updatedAt = prof.Clone(), now
	return r, nil
}

func (p *profiles) deactivate(tenantID, id string, now time.Time) (*profileRecord, error) {
	r, err := p.get(tenantID, id)
	if err != nil {
		return nil, err
	}
	if r.status != adapters.StatusInactive {
		r.status, r.updatedAt = adapters.StatusInactive, now
	}
	return r, nil
}
