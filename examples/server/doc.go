// Command server is a runnable HTTP server wiring the whole library: the seeds'
// back-office client routes, roles and permissions, on embedded SQLite by default.
//
//	go run ./examples/server                      # SQLite file clientele-demo.db
//	DATABASE_URL=postgres://… go run ./examples/server
//
// Flags: -addr (default 127.0.0.1:8080, or $ADDR), -db (default $DATABASE_URL or
// sqlite://clientele-demo.db).
//
// Request bodies are JSON (Content-Type application/json, else 415) of at most
// 1 MiB (else 413), valid UTF-8 and without duplicate keys (else 422 naming the
// key). Every answer carries Cache-Control: no-store and
// X-Content-Type-Options: nosniff. Errors are RFC 9457 problem documents.
package main
