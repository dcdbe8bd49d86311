package watchlist

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/clientele-go/clientele/clients"
)

var _ clients.Screening = (*List)(nil)

// Entry is one listed person or company.
type Entry struct {
	// List names the list the entry comes from ("UN sanctions", "PEP").
	List string
	// Name is the listed name, matched against the client's full name (an
	// individual's first and last name, a company's legal name) after folding
	// case and spaces. Empty matches no name.
	Name string
	// Number is a national ID or company registration number; empty matches
	// no number.
	Number string
}

// List is an in-memory watchlist. The zero value is not usable; call New. A
// *List is safe for concurrent use.
type List struct {
	mu      sync.Mutex
	entries []Entry
	fail    error
	calls   map[string]int
}

// New returns a list holding entries.
func New(entries ...Entry) *List {
	return &List{entries: append([]Entry(nil), entries...), calls: map[string]int{}}
}

// Add lists e.
func (l *List) Add(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

// Fail makes every Screen call fail with an error wrapping kind (say
// clientele.ErrUnavailable); nil stops it.
func (l *List) Fail(kind error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = kind
}

// Calls reports how many screenings with this idempotency key were
// answered (failed calls are not counted).
func (l *List) Calls(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[key]
}

// Screen implements clients.Screening: a hit when an entry's number equals
// the client's national ID or registration number, or its folded name equals
// the client's folded full or legal name.
func (l *List) Screen(ctx context.Context, req clients.ScreeningRequest) (clients.ScreeningResult, error) {
	if err := ctx.Err(); err != nil {
		return clients.ScreeningResult{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return clients.ScreeningResult{}, fmt.Errorf("watchlist: screening failed: %w", l.fail)
	}
	l.calls[req.IdempotencyKey]++
	p := req.Profile
	names := []string{fold(p.FirstName + " " + p.MiddleName + " " + p.LastName), fold(p.FirstName + " " + p.LastName), fold(p.LegalName)}
	numbers := []string{p.NationalID, p.RegistrationNumber}
	for _, e := range l.entries {
		for _, n := range numbers {
			if e.Number != "" && n == e.Number {
				return clients.ScreeningResult{Hit: true, Reason: fmt.Sprintf("%s: number %s", e.List, e.Number)}, nil
			}
		}
		if want := fold(e.Name); want != "" {
			for _, n := range names {
				if n == want {
					return clients.ScreeningResult{Hit: true, Reason: fmt.Sprintf("%s: %s", e.List, e.Name)}, nil
				}
			}
		}
	}
	return clients.ScreeningResult{}, nil
}

func fold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
