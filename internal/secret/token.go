package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Token returns a fresh opaque token: 32 random bytes, base64url without padding
// (43 characters).
func Token() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Digest returns the hex SHA-256 of a high-entropy token. A token is stored only
// as its digest; a fast hash is enough because the token itself is 256 random
// bits. Low-entropy secrets (codes, PINs, passwords) go through a Hasher.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Code returns a fresh 6-digit one-time code, uniform over 000000–999999.
func Code() string {
	// Rejection sampling: 4294000000 is the largest multiple of 10^6 below 2^32,
	// so taking the remainder of a value under it has no bias.
	const limit = 4_294_000_000
	var b [4]byte
	for {
		_, _ = rand.Read(b[:])
		if n := binary.BigEndian.Uint32(b[:]); n < limit {
			return fmt.Sprintf("%06d", n%1_000_000)
		}
	}
}

// Equal reports whether a and b are equal, in time that depends only on their
// lengths.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
