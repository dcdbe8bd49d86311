-- Tenants become changeable (tenants.Service.Update): a version for optimistic
-- locking and the time of the last change.
ALTER TABLE tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
--bun:split
ALTER TABLE tenants ADD COLUMN updated_at {{.Timestamp}};
--bun:split
UPDATE tenants SET updated_at = created_at;
