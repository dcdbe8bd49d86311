-- The Persistence adapter (adapters.Persistence): devices, device transfers,
-- member favourites and settings, and the replayable responses of its changes.
-- Tenant and client IDs are not foreign keys: the adapter contract is
-- tenant-scoped on its own and is also used by systems with their own tenants.
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    platform      TEXT NOT NULL DEFAULT '',
    fingerprint   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    locked        BOOLEAN NOT NULL,
    pin_hash      TEXT NOT NULL DEFAULT '',
    pin_reset_at  {{.Timestamp}} NULL,
    registered_at {{.Timestamp}} NOT NULL,
    updated_at    {{.Timestamp}} NOT NULL
);
--bun:split
CREATE INDEX devices_tenant_client ON devices (tenant_id, client_id, registered_at, id);
--bun:split
CREATE TABLE device_transfers (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    device_id      TEXT NOT NULL REFERENCES devices (id),
    from_client_id TEXT NOT NULL,
    to_client_id   TEXT NOT NULL,
    token_hash     TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    expires_at     {{.Timestamp}} NOT NULL,
    created_at     {{.Timestamp}} NOT NULL
);
--bun:split
CREATE INDEX device_transfers_tenant_device ON device_transfers (tenant_id, device_id, status);
--bun:split
CREATE TABLE member_favorites (
    tenant_id  TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    updated_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, member_id, client_id)
);
--bun:split
CREATE TABLE member_settings (
    tenant_id  TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    settings   {{.JSON}} NOT NULL,
    version    BIGINT NOT NULL,
    updated_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, member_id)
);
--bun:split
CREATE TABLE adapter_idempotency (
    tenant_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     {{.JSON}} NOT NULL,
    created_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, scope, key)
);
