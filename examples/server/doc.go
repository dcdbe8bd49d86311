// Command server is a runnable HTTP server wiring the whole library: the seeds'
// back-office client routes, roles and permissions, on embedded SQLite by default.
//
//	go run ./examples/server                      # SQLite file clientele-demo.db
//	DATABASE_URL=postgres://… go run ./examples/server
//
// Flags: -addr (default 127.0.0.1:8080, or $ADDR), -db (default $DATABASE_URL or
// sqlite://clientele-demo.db).
package main
