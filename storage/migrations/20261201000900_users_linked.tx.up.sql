-- The users of one associate or one client (users.Service.FollowLinked: an
-- associate's change reaches its users in the same transaction).
CREATE INDEX users_tenant_associate ON users (tenant_id, associate_id) WHERE associate_id <> '';
--bun:split
CREATE INDEX users_tenant_client ON users (tenant_id, client_id) WHERE client_id <> '';
