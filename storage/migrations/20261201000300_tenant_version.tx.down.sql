ALTER TABLE tenants DROP COLUMN updated_at;
--bun:split
ALTER TABLE tenants DROP COLUMN version;
