CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    preset        TEXT NOT NULL DEFAULT '',
    apps          {{.JSON}} NOT NULL DEFAULT '{}',
    client_portal BOOLEAN NOT NULL DEFAULT FALSE,
    settings      {{.JSON}} NOT NULL DEFAULT '{}',
    created_at    {{.Timestamp}} NOT NULL
);
--bun:split
CREATE TABLE clients (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    reference          TEXT NOT NULL,
    type               TEXT NOT NULL,
    state              TEXT NOT NULL,
    kyc_status         TEXT NOT NULL,
    office_id          TEXT NOT NULL,
    staff_associate_id TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    display_name       TEXT NOT NULL,
    name_search        TEXT NOT NULL,
    profile            {{.JSON}} NOT NULL,
    version            BIGINT NOT NULL,
    created_at         {{.Timestamp}} NOT NULL,
    updated_at         {{.Timestamp}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX clients_tenant_reference ON clients (tenant_id, reference);
--bun:split
CREATE INDEX clients_tenant_id ON clients (tenant_id, id);
--bun:split
CREATE INDEX clients_tenant_state_type ON clients (tenant_id, state, type, id);
--bun:split
CREATE INDEX clients_tenant_email ON clients (tenant_id, email);
--bun:split
CREATE INDEX clients_tenant_phone ON clients (tenant_id, phone);
--bun:split
CREATE TABLE idempotency_keys (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    created_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, scope, key)
);
--bun:split
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    actor       TEXT NOT NULL,
    operation   TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    changed     {{.JSON}} NOT NULL,
    at          {{.Timestamp}} NOT NULL
);
--bun:split
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity_type, entity_id, id);
{{- if .Postgres}}
--bun:split
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
--bun:split
-- Substring name search (LIKE '%…%') uses this trigram index on PostgreSQL.
CREATE INDEX clients_name_trgm ON clients USING gin (name_search public.gin_trgm_ops);
{{- end}}
