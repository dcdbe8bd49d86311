-- The client self-service portal (issue 13, package portal).
--
-- portal_access: a client's portal access (seed 000): the customer user it is
-- linked to, the username it logs in with (unique in the tenant), its
-- customer roles and whether it is enabled.
--
-- portal_transfers: account transfers a client asked for through the portal.
-- A transfer is recorded (status pending) with its idempotency key, its audit
-- entry and its outbox effect in one transaction, then executed against core
-- banking; its status moves once, from pending to completed or failed.
CREATE TABLE portal_access (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    roles      {{.JSON}} NOT NULL,
    enabled    BOOLEAN NOT NULL,
    version    BIGINT NOT NULL,
    created_at {{.Timestamp}} NOT NULL,
    updated_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);
--bun:split
CREATE UNIQUE INDEX portal_access_username ON portal_access (tenant_id, username);
--bun:split
CREATE UNIQUE INDEX portal_access_user ON portal_access (tenant_id, user_id);
--bun:split
CREATE TABLE portal_transfers (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    id               TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    from_account_id  TEXT NOT NULL,
    to_account_id    TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    narration        TEXT NOT NULL,
    status           TEXT NOT NULL,
    failure          TEXT NOT NULL,
    bank_transfer_id TEXT NOT NULL,
    created_at       {{.Timestamp}} NOT NULL,
    updated_at       {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
--bun:split
CREATE INDEX portal_transfers_client ON portal_transfers (tenant_id, client_id, id);
