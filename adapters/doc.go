// Package adapters holds the contracts between clientele and the systems an
// institution already runs: core banking, identity, CRM, documents, messaging and a
// persistence worker for devices, favourites and member settings.
//
// Like database/sql/driver, this package only declares: six small, context-first
// interfaces (CoreBanking, Identity, CRM, Documents, Messaging, Persistence), a few
// optional interfaces an implementation may add (AccountOpener, ClientLister,
// DocumentStore), their request and response types, and validation of requests.
// It imports neither net/http nor a database driver. Implementations live elsewhere:
//
//   - adapters/memory: concurrency-safe in-memory implementations with switches for
//     latency and injected failures, for tests and demos;
//   - adapters/httpadapter: reference HTTP clients on go-retryablehttp and the
//     http.Handlers that serve the same contracts over any implementation;
//   - storage: the bun (SQLite, PostgreSQL) implementation of Persistence.
//
// Every implementation is expected to pass the conformance suites in
// adapters/adaptertest.
//
// # Rules every implementation follows
//
//   - Every request carries its TenantID; nothing is visible across tenants.
//   - Every call that changes something carries an IdempotencyKey. The same key with
//     the same request yields the same result and has its effect once, even under
//     concurrency; the same key with a different request fails with
//     clientele.ErrConflict. A missing key is clientele.ErrInvalid. A call that
//     fails records nothing under its key, so it may be retried with the same key.
//   - Errors wrap the root kinds (clientele.ErrNotFound, ErrInvalid, ErrConflict,
//     ErrPrecondition, ErrForbidden, ErrUnavailable, …); callers use errors.Is.
//     Invalid requests fail with a *clientele.ValidationError naming each field by
//     its JSON name; every request type has a Validate method implementations call.
//   - Money is integer minor units plus an ISO-4217 currency code, never a float.
//   - A cancelled or expired context ends the call with the context's error.
//
// # Seed 002 operations
//
//	CoreBanking  CC001 CreateClient, CC002 UpdateClient, CC003 DeactivateClient,
//	             CC004/CC005 ListAccounts (savings / loans), CC008 ClientLister.ListClients,
//	             CC009 GetClient, CC010 CloseAccounts, CC011 SetAccountBlocks,
//	             account transfer Transfer
//	Identity     IU001 CreateUser, IU002 UpdateUser, IU003 DeactivateUser, CreateDID
//	CRM          HP001 CreatePartner, HP002 UpdatePartner, HP003 DeactivatePartner
//	Documents    DD001/DD002 ListDocuments (utility / verification), DD003 GetPhoto
//	Messaging    Send with KindWelcome (MW001), KindProfileChanged (MU002),
//	             KindAccountClosure (MC001), KindDevicePINReset (MD001), KindOTP,
//	             KindInvitation, KindDeviceTransferToken
//	Persistence  DL001 ListDevices, DX002 SetDeviceLock, DT003 InitiateDeviceTransfer,
//	             DT004 ConfirmDeviceTransfer, DA005 SetDeviceActive,
//	             DA006 ResetDevicePIN, MC007 ToggleFavorite, member settings
//
// Mocks of every interface for unit tests are generated into internal/mocks by
// mockery (configuration in .mockery.yaml at the repository root).
package adapters

//go:generate go run github.com/vektra/mockery/v2@v2.53.7 --config ../.mockery.yaml
