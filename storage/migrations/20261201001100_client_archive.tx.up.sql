-- The archive saga (CL005, issue 12): where it stands, on the client
-- (clients.ArchiveState as JSON; NULL before the client is archived). The
-- users of one client, revoked when it is archived, are found through
-- users_tenant_client (migration 20261201000900).
ALTER TABLE clients ADD COLUMN archive {{.JSON}};
