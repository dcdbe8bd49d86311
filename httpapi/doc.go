// Package httpapi is the library's HTTP API as an http.Handler an application
// mounts on its own server, under its own prefix and behind its own
// middleware:
//
//	api, err := httpapi.New(httpapi.Services{Clients: cs, Users: us, Roles: roles, Tenants: ts, Outbox: ob,
//		Associates: as}, httpapi.WithLogger(log))
//	…
//	mux.Handle("/bank/", http.StripPrefix("/bank", api))
//
// It serves Routes: clients (list and search, create, read, update, status
// change), roles and permissions, invitations, registration, login and users,
// tenants administration, the effects still to deliver to the adapters,
// offices, classifications, associates and their links (package associates),
// and its own OpenAPI 3.1 document at GET /openapi.json (OpenAPI). The paths
// are relative to where the handler is mounted.
//
// # Authentication and authorization
//
// Every route but registration, login, logout and /openapi.json first resolves
// the acting principal with the Authenticator: by default the session token of
// an "Authorization: Bearer <token>" header, looked up by users.Service
// (UsersAuthenticator); WithAuthenticator puts the app's own in its place (its
// SSO, mTLS client certificates, an API gateway's claims). The principal is
// handed to every service call, and the services authorize it: the HTTP layer
// decides nothing by itself.
//
// # Requests and answers
//
// Request bodies are JSON (Content-Type application/json or a +json type, in
// UTF-8, else 415) of at most DefaultMaxBodyBytes (WithMaxBodyBytes; else
// 413), valid UTF-8, one object without duplicate keys or unknown fields (else
// 422 naming the field). PUT replaces the whole resource: a field left out is
// cleared, and the body carries the version read (a stale one is 409).
// PATCH /tenants/{id} and PATCH /associates/{id} change only the fields they
// name. A change the service makes as a call of its own (renaming, moving or
// closing an office; deactivating, transferring, re-parenting or tagging an
// associate) is a POST to a path of its own (/offices/{id}/move, …) whose body
// carries the version read. POST /associates/{id}/links answers 200 with the
// link, the one there was when the pair was linked already; DELETE
// /associates/{id}/links/{kind}/{entityId} answers 204, or 404 when they were
// not linked.
//
// Errors are RFC 9457 application/problem+json documents written by package
// problem, which holds the module's one table of statuses and codes. A path
// no route serves is a 404 problem, a served path with another method a 405.
//
// Every answer carries Cache-Control: no-store, X-Content-Type-Options:
// nosniff, X-Frame-Options: DENY and a Content-Security-Policy that allows
// nothing, and an X-Request-Id: the caller's when it is well formed
// (problem.ValidRequestID), else a new one; problem documents and the log lines
// carry it too. With WithLogger the handler logs one line per request (method,
// path, status, duration, request id; never headers, query strings or bodies)
// and the cause of every 500 and 503, which the answer does not carry.
//
// # Serving it
//
// The handler sets no timeouts: the app's http.Server must, or one slow
// client holds a connection for ever. For example:
//
//	srv := &http.Server{
//		Handler:           mux,
//		ReadHeaderTimeout: 5 * time.Second,
//		ReadTimeout:       15 * time.Second,
//		WriteTimeout:      30 * time.Second,
//		IdleTimeout:       60 * time.Second,
//		MaxHeaderBytes:    32 << 10,
//	}
//
// Tenants, Outbox and Associates are optional in Services: without them their
// routes are not registered (Handler.Routes lists what is) and answer 404.
package httpapi
