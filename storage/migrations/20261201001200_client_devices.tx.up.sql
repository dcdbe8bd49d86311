-- Device operations of clients (CL010–CL013, issue 12). The devices live in the
-- Persistence adapter; clientele keeps what it needs to drive it safely:
--
-- client_device_states: the lock and activation state a back-office member
-- asked for last, per device, with a version the outbox handler delivers in
-- order (an older request never overwrites a newer one). '' means never asked.
CREATE TABLE client_device_states (
    tenant_id    TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    lock_state   TEXT NOT NULL DEFAULT '',
    active_state TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL,
    updated_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, device_id)
);
--bun:split
-- client_device_transfers: a transfer of a device to another client, confirmed
-- with a one-time token sent to the client. Only the token's SHA-256 digest is
-- stored ('' until the outbox handler has minted and sent it); attempts are
-- reserved with a conditional UPDATE before any comparison.
CREATE TABLE client_device_transfers (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    from_client_id TEXT NOT NULL,
    from_reference TEXT NOT NULL,
    to_client_id   TEXT NOT NULL,
    to_reference   TEXT NOT NULL,
    token_hash     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    expires_at     {{.Timestamp}} NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     {{.Timestamp}} NOT NULL,
    confirmed_at   {{.Timestamp}} NULL
);
--bun:split
CREATE INDEX client_device_transfers_device ON client_device_transfers (tenant_id, device_id, status);
