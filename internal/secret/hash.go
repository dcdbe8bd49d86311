package secret

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters.
type Params struct {
	// MemoryKiB is the memory cost in KiB.
	MemoryKiB uint32
	// Iterations is the time cost.
	Iterations uint32
	// Parallelism is the number of lanes.
	Parallelism uint8
}

// OWASP returns the parameters the OWASP password storage cheat sheet recommends
// for argon2id: 19 MiB, 2 iterations, 1 lane.
func OWASP() Params { return Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1} }

// Cheap returns parameters that cost almost nothing. They are for tests only: a
// hash made with them resists no attack.
func Cheap() Params { return Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1} }

func (p Params) validate() error {
	switch {
	case p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > 4<<20:
		return errors.New("secret: argon2id memory must be between 8×parallelism KiB and 4 GiB")
	case p.Iterations < 1 || p.Iterations > 100:
		return errors.New("secret: argon2id iterations must be between 1 and 100")
	case p.Parallelism < 1:
		return errors.New("secret: argon2id parallelism must be at least 1")
	}
	return nil
}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and verifies secrets with argon2id. At most a fixed number of
// hashes run at once (each holds MemoryKiB of memory); further callers wait, or
// give up when their context ends. A Hasher is safe for concurrent use.
type Hasher struct {
	p     Params
	sem   chan struct{}
	dummy string
}

// NewHasher returns a Hasher with the given parameters allowing maxConcurrent
// hashes at once (0 means GOMAXPROCS).
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if maxConcurrent < 0 {
		return nil, errors.New("secret: maxConcurrent must not be negative")
	}
	if maxConcurrent == 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{p: p, sem: make(chan struct{}, maxConcurrent)}
	// A hash of random bytes to verify against when there is no real one, so a
	// miss costs what a hit costs.
	var junk [16]byte
	_, _ = rand.Read(junk[:])
	h.dummy = h.encode(junk[:8], h.derive(junk[8:], junk[:8]))
	return h, nil
}

// Params returns the hasher's parameters.
func (h *Hasher) Params() Params { return h.p }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

func (h *Hasher) derive(secret, salt []byte) []byte {
	return argon2.IDKey(secret, salt, h.p.Iterations, h.p.MemoryKiB, h.p.Parallelism, keyLen)
}

var b64 = base64.RawStdEncoding

func (h *Hasher) encode(salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.MemoryKiB, h.p.Iterations, h.p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hash returns the PHC string of secret:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with a fresh 16-byte salt. It waits for a free slot; a context that ends first
// returns its error.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	return h.encode(salt, h.derive([]byte(secret), salt)), nil
}

// Verify reports whether secret matches the PHC string encoded, comparing in
// constant time. The parameters come from encoded, so hashes made with older
// parameters still verify. An empty encoded verifies against a dummy hash (the
// same work as a real check) and reports false: callers pass "" for an account
// that does not exist to keep their timing uniform. A malformed encoded is an
// error.
func (h *Hasher) Verify(ctx context.Context, encoded, secret string) (bool, error) {
	dummy := encoded == ""
	if dummy {
		encoded = h.dummy
	}
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(secret), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(key)))
	ok := subtle.ConstantTimeCompare(got, key) == 1
	return ok && !dummy, nil
}

// ErrMalformed is returned for a string that is not an argon2id PHC string.
var ErrMalformed = errors.New("secret: malformed argon2id hash")

func decode(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, ErrMalformed
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return Params{}, nil, nil, ErrMalformed
		}
		switch k {
		case "m":
			p.MemoryKiB = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, ErrMalformed
			}
			p.Parallelism = uint8(n)
		default:
			return Params{}, nil, nil, ErrMalformed
		}
	}
	if p.validate() != nil {
		return Params{}, nil, nil, ErrMalformed
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}
