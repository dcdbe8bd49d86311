-- One idempotency mechanism over one table (issue 9 §4): a key is scoped to
-- tenant + principal + operation, remembers the request's hash and the result
-- (a created entity's ID, or the Persistence adapter's JSON response), and
-- expires after 24 hours. It replaces idempotency_keys (creates, scoped to
-- tenant + operation) and adapter_idempotency (the Persistence adapter).
--
-- The adapter's keys are carried over under the principal its store uses
-- ('adapters.Persistence'). The old create keys had no principal and cannot be
-- placed in the new scope; they are dropped, so a retry of a create made
-- before this migration (within its last 24 hours) is a new request.
DROP TABLE idempotency_keys;
--bun:split
CREATE TABLE idempotency_keys (
    tenant_id    TEXT NOT NULL,
    principal    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    created_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, principal, operation, key)
);
--bun:split
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
--bun:split
INSERT INTO idempotency_keys (tenant_id, principal, operation, key, request_hash, result, created_at)
SELECT tenant_id, 'adapters.Persistence', scope, key, request_hash, response, created_at FROM adapter_idempotency;
--bun:split
DROP TABLE adapter_idempotency;
