CREATE TABLE adapter_idempotency (
    tenant_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     {{.JSON}} NOT NULL,
    created_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, scope, key)
);
--bun:split
INSERT INTO adapter_idempotency (tenant_id, scope, key, request_hash, response, created_at)
SELECT tenant_id, operation, key, request_hash, {{if .Postgres}}result::jsonb{{else}}result{{end}}, created_at
FROM idempotency_keys WHERE principal = 'adapters.Persistence';
--bun:split
DROP TABLE idempotency_keys;
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
