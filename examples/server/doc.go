// Command server is a runnable HTTP server built on the library: it mounts the
// library's HTTP API (package httpapi) under /api/, next to a route of its own
// (GET /healthz), on embedded SQLite by default, with a demo tenant and the
// dispatcher that delivers what the services commit to the adapters.
//
//	go run ./examples/server                      # SQLite file clientele-demo.db
//	DATABASE_URL=postgres://… go run ./examples/server
//
// Flags: -addr (default 127.0.0.1:8080, or $ADDR), -db (default $DATABASE_URL or
// sqlite://clientele-demo.db). CLIENTELE_DEMO_PASSWORD sets the demo operator's
// password, CLIENTELE_DEMO_SOCIAL_KEY turns on the stand-in social provider, and
// CLIENTELE_ADAPTERS_URL uses the HTTP adapters there instead of the in-memory
// ones (for example `go run ./examples/fakes`).
//
// Messages (invitation codes) are logged on stderr with the in-memory adapters;
// with CLIENTELE_ADAPTERS_URL they are in the adapter server's own log.
package main
