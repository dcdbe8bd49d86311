DROP TABLE audit_log;
--bun:split
DROP TABLE idempotency_keys;
--bun:split
DROP TABLE clients;
--bun:split
DROP TABLE tenants;
