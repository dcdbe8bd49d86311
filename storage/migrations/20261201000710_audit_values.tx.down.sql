ALTER TABLE audit_log DROP COLUMN values_after;
--bun:split
ALTER TABLE audit_log DROP COLUMN values_before;
