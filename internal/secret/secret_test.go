package secret

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h, err := NewHasher(Cheap(), 2)
	require.NoError(t, err)
	enc, err := h.Hash(ctx, "correct horse")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$"), enc)
	assert.NotContains(t, enc, "correct horse")

	ok, err := h.Verify(ctx, enc, "correct horse")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = h.Verify(ctx, enc, "correct horsf")
	require.NoError(t, err)
	assert.False(t, ok)

	// Same secret, fresh salt.
	enc2, err := h.Hash(ctx, "correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, enc, enc2)

	// A hash made with other parameters still verifies: they travel in the string.
	h2, err := NewHasher(Params{MemoryKiB: 128, Iterations: 2, Parallelism: 1}, 1)
	require.NoError(t, err)
	ok, err = h2.Verify(ctx, enc, "correct horse")
	require.NoError(t, err)
	assert.True(t, ok)

	// The empty hash never matches, even the dummy's own secret.
	ok, err = h.Verify(ctx, "", "")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestVerifyMalformed(t *testing.T) {
	h, err := NewHasher(Cheap(), 1)
	require.NoError(t, err)
	for _, bad := range []string{
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
	} {
		ok, err := h.Verify(context.Background(), bad, "x")
		assert.ErrorIs(t, err, ErrMalformed, bad)
		assert.False(t, ok)
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	for _, p := range []Params{{}, {MemoryKiB: 64}, {MemoryKiB: 64, Iterations: 1}, {MemoryKiB: 4, Iterations: 1, Parallelism: 1}} {
		_, err := NewHasher(p, 1)
		assert.Error(t, err, "%+v", p)
	}
	_, err := NewHasher(Cheap(), -1)
	assert.Error(t, err)
}

func TestHasherCapsConcurrency(t *testing.T) {
	h, err := NewHasher(Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}, 2)
	require.NoError(t, err)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			// Observe the semaphore from inside: acquire as Hash does.
			require.NoError(t, h.acquire(context.Background()))
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			h.release()
		})
	}
	wg.Wait()
	assert.Equal(t, int32(2), peak.Load())

	// A full hasher gives up when the context ends.
	h.sem <- struct{}{}
	h.sem <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err = h.Hash(ctx, "x")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestTokenCodeDigest(t *testing.T) {
	tok := Token()
	assert.Len(t, tok, 43)
	assert.NotEqual(t, tok, Token())
	assert.Len(t, Digest(tok), 64)
	assert.Equal(t, Digest(tok), Digest(tok))

	seen := map[string]bool{}
	for range 2000 {
		c := Code()
		require.Len(t, c, 6)
		for _, r := range c {
			require.True(t, r >= '0' && r <= '9', c)
		}
		seen[c] = true
	}
	assert.Greater(t, len(seen), 1900, "codes repeat far too often")

	assert.True(t, Equal("123456", "123456"))
	assert.False(t, Equal("123456", "123457"))
	assert.False(t, Equal("123456", "12345"))
}

func BenchmarkHashOWASP(b *testing.B) {
	h, err := NewHasher(OWASP(), 1)
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyOWASP(b *testing.B) {
	h, err := NewHasher(OWASP(), 1)
	require.NoError(b, err)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify(ctx, enc, "correct horse battery staple"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkToken(b *testing.B) {
	for b.Loop() {
		_ = Digest(Token())
	}
}
