// Package watchlist is an in-memory compliance screening (clients.Screening):
// a list of sanctioned persons, companies and politically exposed persons that
// the app loads itself, matched on identifying numbers and on folded names.
//
// It is meant for tests, demos and the example server, and for an institution
// small enough to screen against a list it maintains by hand. A production
// deployment usually supplies its screening provider's client instead: any
// type with the Screen method of clients.Screening.
//
// Like the fakes of adapters/memory it has a failure switch (Fail) so tests can
// take it down and bring it back, and it counts the calls per idempotency key
// (Calls).
package watchlist
