DROP INDEX users_tenant_client;
--bun:split
DROP INDEX users_tenant_associate;
