package clients

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/authz"
)

// Source names a system client details (CL002) gather from beyond the store.
type Source string

// The sources of Details.
const (
	SourceCoreBanking Source = "corebanking" // CC009: the client's profile at core banking
	SourceDocuments   Source = "documents"   // DD001: the client's utility documents
	SourceCRM         Source = "crm"         // HP001: the client's partner profile at the CRM
)

// Reason says why a source is missing from Details.
type Reason string

// The reasons a source is missing.
const (
	// ReasonTimeout: the source did not answer within its timeout
	// (DetailTimeouts).
	ReasonTimeout Reason = "timeout"
	// ReasonUnavailable: the source answered with an error.
	ReasonUnavailable Reason = "unavailable"
	// ReasonNotFound: the source does not know the client (yet: the push of a
	// new client may still be on its way, see Client.Sync).
	ReasonNotFound Reason = "not_found"
	// ReasonNotConfigured: the Service has no adapter for the source
	// (WithAdapters).
	ReasonNotConfigured Reason = "not_configured"
)

// Missing names a source whose part of Details is absent, and why.
type Missing struct {
	Source Source `json:"source"`
	Reason Reason `json:"reason"`
}

// Details is a client as CL002 shows it: the client from the store (its fields
// at the top level, as Get returns them) and what core banking, the document
// processor and the CRM hold about it. A source that failed, timed out, does
// not know the client or is not configured leaves its field out and is named
// in Missing; Missing is empty when every source answered.
type Details struct {
	Client
	// CoreBanking is the client's profile at core banking (CC009).
	CoreBanking *adapters.BankClient `json:"coreBanking,omitempty"`
	// Documents are the client's utility documents (DD001), newest first,
	// without content; nil when the source is missing, empty when it has none.
	Documents []adapters.Document `json:"documents,omitzero"`
	// CRM is the client's partner profile at the CRM (HP001).
	CRM *adapters.Partner `json:"crm,omitempty"`
	// Missing lists the sources left out, in the order of the Source
	// constants.
	Missing []Missing `json:"missing"`
}

// DetailTimeouts bound how long Details waits for each source. A zero field
// takes its default (DefaultDetailTimeout).
type DetailTimeouts struct {
	CoreBanking time.Duration
	Documents   time.Duration
	CRM         time.Duration
}

// DefaultDetailTimeout is the timeout of a Details source not set in
// DetailTimeouts.
const DefaultDetailTimeout = 2 * time.Second

// WithDetailTimeouts sets how long Details waits for each source.
func WithDetailTimeouts(t DetailTimeouts) Option {
	return func(s *Service) { s.detailTimeouts = t }
}

func (t DetailTimeouts) of(src Source) time.Duration {
	d := map[Source]time.Duration{SourceCoreBanking: t.CoreBanking, SourceDocuments: t.Documents, SourceCRM: t.CRM}[src]
	if d <= 0 {
		return DefaultDetailTimeout
	}
	return d
}

// Details returns a client with what core banking (CC009), the document
// processor (DD001) and the CRM (HP001) hold about it (CL002).
//
// It authorizes and reads the client exactly as Get does (the operation first,
// then ErrNotFound for a client missing or out of the principal's scope), then
// asks the three sources at once, each within its own timeout
// (WithDetailTimeouts). A source that fails or is late never fails the call: its
// part is left out and named in Details.Missing. Each source's call gets a
// context that ends at its timeout, and adapters return when their context
// ends (the adapter contracts are context-first), so the call takes at most
// the longest timeout beyond the store read. Only the store read, or the end
// of ctx, fails it.
func (s *Service) Details(ctx context.Context, p authz.Principal, reference string) (Details, error) {
	c, _, err := s.readAuthorized(ctx, p, authz.OpViewClient, reference)
	if err != nil {
		return Details{}, fmt.Errorf("clients: details %s: %w", reference, err)
	}
	d := Details{Client: c, Missing: []Missing{}}
	var (
		mu      sync.Mutex
		missing = map[Source]Reason{}
	)
	// fetch runs one source in the group under its own timeout and records
	// why it is missing, if it is. It never returns an error: a source's
	// failure is part of the answer, not a failure of the call.
	var g errgroup.Group
	fetch := func(src Source, configured bool, call func(ctx context.Context) error) {
		if !configured {
			mu.Lock()
			missing[src] = ReasonNotConfigured
			mu.Unlock()
			return
		}
		g.Go(func() error {
			sctx, cancel := context.WithTimeout(ctx, s.detailTimeouts.of(src))
			defer cancel()
			err := call(sctx)
			if err == nil {
				return nil
			}
			reason := ReasonUnavailable
			switch {
			case ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || sctx.Err() != nil):
				reason = ReasonTimeout
			case errors.Is(err, clientele.ErrNotFound):
				reason = ReasonNotFound
			}
			mu.Lock()
			missing[src] = reason
			mu.Unlock()
			return nil
		})
	}
	a := s.adapters
	var (
		bank    adapters.BankClient
		docs    []adapters.Document
		partner adapters.Partner
	)
	fetch(SourceCoreBanking, a.CoreBanking != nil, func(ctx context.Context) (err error) {
		bank, err = a.CoreBanking.GetClient(ctx, c.TenantID, c.ID)
		return err
	})
	fetch(SourceDocuments, a.Documents != nil, func(ctx context.Context) (err error) {
		docs, err = a.Documents.ListDocuments(ctx, adapters.ListDocumentsRequest{
			TenantID: c.TenantID, ClientID: c.ID, Category: adapters.CategoryUtility,
		})
		return err
	})
	fetch(SourceCRM, a.CRM != nil, func(ctx context.Context) (err error) {
		partner, err = a.CRM.GetPartner(ctx, c.TenantID, c.ID)
		return err
	})
	_ = g.Wait() // every fetch returns nil
	if err := ctx.Err(); err != nil {
		return Details{}, fmt.Errorf("clients: details %s: %w", reference, err)
	}
	for _, src := range []Source{SourceCoreBanking, SourceDocuments, SourceCRM} {
		if r, ok := missing[src]; ok {
			d.Missing = append(d.Missing, Missing{Source: src, Reason: r})
			continue
		}
		switch src {
		case SourceCoreBanking:
			d.CoreBanking = &bank
		case SourceDocuments:
			if docs == nil {
				docs = []adapters.Document{}
			}
			d.Documents = docs
		case SourceCRM:
			d.CRM = &partner
		}
	}
	return d, nil
}
