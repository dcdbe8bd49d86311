// Command fakes serves the six adapter contracts over HTTP from the in-memory fakes
// of adapters/memory, so anything that speaks the HTTP contracts — the example
// server, an adapter written in another language, curl — has a core banking system,
// identity provider, CRM, document processor, messaging provider and persistence
// worker to talk to.
//
//	go run ./examples/fakes                      # listens on :8090
//	go run ./examples/fakes -addr 127.0.0.1:9000
//	CLIENTELE_FAKES_ADDR=:9000 go run ./examples/fakes
//
// The contracts are mounted as httpadapter.NewHandler mounts them:
//
//	/corebanking  /identity  /crm  /documents  /messaging  /persistence
//
// each described by its OpenAPI document in adapters/httpadapter/openapi. State
// lives in memory and is lost on exit.
//
// # Pointing the example server at it
//
// Start the fakes, then start the example server with the base URL:
//
//	go run ./examples/fakes &
//	CLIENTELE_ADAPTERS_URL=http://localhost:8090 go run ./examples/server
//
// The server builds its six adapters with one call (the library itself reads no
// environment variable; the example server does):
//
//	clients, err := httpadapter.NewClients(os.Getenv("CLIENTELE_ADAPTERS_URL"))
//	// clients.CoreBanking, clients.Identity, clients.CRM, clients.Documents,
//	// clients.Messaging, clients.Persistence implement the adapters interfaces.
//
// # Reading what was sent
//
// Messages are recorded, not delivered. GET /_fakes/messages returns every message
// the messaging fake accepted (JSON, oldest first), and
// GET /_fakes/messages?recipient=%2B256700000001 the latest one for a recipient, so a
// demo can read the OTP a registration sent.
package main
