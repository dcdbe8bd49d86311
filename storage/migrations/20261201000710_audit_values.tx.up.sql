-- A role change records the role's permission set before and after (issue 8).
ALTER TABLE audit_log ADD COLUMN values_before {{.JSON}};
--bun:split
ALTER TABLE audit_log ADD COLUMN values_after {{.JSON}};
