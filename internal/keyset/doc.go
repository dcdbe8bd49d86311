// Package keyset is the keyset pagination every list of the library shares: an
// opaque cursor naming the last UUIDv7 ID of a page, a bounded page size, and the
// "fetch one more to know whether there is a next page" step.
package keyset
