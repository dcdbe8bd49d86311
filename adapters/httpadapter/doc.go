// Package httpadapter carries the six adapter contracts over HTTP: a reference
// client for each interface, built on hashicorp/go-retryablehttp, and an
// http.Handler for each that serves the contract over any implementation. The HTTP
// contracts are written down as OpenAPI 3.1 documents in openapi/, so an adapter can
// be written in any language; the handlers serve exactly the routes those documents
// describe (a test holds them to it).
//
// # Clients
//
// NewCoreBanking, NewIdentity, NewCRM, NewDocuments, NewMessaging and
// NewPersistence take the URL where the matching handler is mounted; NewClients
// builds all six from one base URL served by NewHandler (for example
// "http://localhost:8090", as `go run ./examples/fakes` serves). Clients:
//
//   - time out each attempt (WithTimeout, 10 s by default) and retry with
//     exponential backoff (WithRetry: 3 retries, 100 ms to 2 s by default) on network
//     errors, 429 and 5xx other than 501;
//   - retry a request that changes something only when it carries its idempotency
//     key, which travels in the Idempotency-Key header and the body; reads are always
//     safe to retry;
//   - send every identifier (tenant, client, subject, device, member, …) as exactly
//     one path segment, escaped with url.PathEscape ("." and ".." as %2E), so any
//     string is an identifier: "a/b" travels as a%2Fb and a literal "%2F" as %252F;
//   - log nothing unless given a *slog.Logger (WithLogger); never to stderr;
//   - return errors that wrap the root kinds: problem codes and status codes map
//     back to clientele.ErrNotFound, ErrInvalid (with the *clientele.ValidationError
//     the server reported), ErrConflict, ErrPrecondition, …; a server that stays
//     unreachable, keeps failing or times out yields clientele.ErrUnavailable; a
//     cancelled context yields the context's error.
//
// # Handlers
//
// A handler matches the escaped request path one segment at a time and decodes each
// path parameter once (handlers read it with r.PathValue); it never cleans the path
// or redirects, so the identifier the client escaped is the one the implementation
// receives.
//
// Each handler maps the implementation's errors to RFC 9457 application/problem+json
// responses with a stable code, through package problem, the module's one table
// (the HTTP API answers alike):
//
//	code                 status  kind
//	invalid              422     clientele.ErrInvalid (field problems in "errors")
//	unauthenticated      401     clientele.ErrUnauthenticated
//	forbidden            403     clientele.ErrForbidden
//	portal_disabled      403     clientele.ErrPortalDisabled
//	not_found            404     clientele.ErrNotFound
//	conflict             409     clientele.ErrConflict
//	precondition_failed  409     clientele.ErrPrecondition
//	not_supported        501     adapters.ErrNotSupported
//	unavailable          503     clientele.ErrUnavailable
//	internal             500     anything else
//
// A miss always carries the detail "no such resource", and a 500 or 503 no
// detail: the cause stays with the implementation.
//
// A handler whose implementation lacks an optional ability (adapters.AccountOpener,
// adapters.ClientLister, adapters.DocumentStore) answers those routes with 501.
package httpadapter
