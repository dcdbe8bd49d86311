-- The archive saga (CL005, issue 12): where it stands, on the client
-- (clients.ArchiveState as JSON; NULL before the client is archived).
ALTER TABLE clients ADD COLUMN archive {{.JSON}};
--bun:split
-- The users of one client, for revoking them when it is archived.
CREATE INDEX users_tenant_client ON users (tenant_id, client_id) WHERE client_id <> '';
