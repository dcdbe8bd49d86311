// Package secret holds the library's handling of secrets: argon2id hashing of
// passwords, PINs and one-time codes (PHC strings, a semaphore bounding how many
// hashes run at once, so memory stays bounded), random session tokens and 6-digit
// codes from crypto/rand, SHA-256 digests for high-entropy tokens, and
// constant-time comparison.
//
// Nothing here logs, and no error carries a secret.
package secret
