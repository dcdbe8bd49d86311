// Package secret holds the library's handling of secrets: argon2id hashing of
// passwords, PINs and one-time codes (PHC strings, a semaphore bounding how many
// hashes run at once, so memory stays bounded), random session tokens and 6-digit
// codes from crypto/rand, SHA-256 digests for high-entropy tokens, and
// constant-time comparison. Digest is the library's one token digest:
// users stores session tokens and tickets by it, and adapters.HashToken (the
// public contract function adapter implementers use) returns it.
//
// Nothing here logs, and no error carries a secret.
package secret
