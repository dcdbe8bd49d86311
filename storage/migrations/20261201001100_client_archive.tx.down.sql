DROP INDEX users_tenant_client;
--bun:split
ALTER TABLE clients DROP COLUMN archive;
