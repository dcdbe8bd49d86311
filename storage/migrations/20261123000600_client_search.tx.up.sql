{{- if .Postgres}}
-- Substring search (name~x) has two plans: walk clients newest first until a page
-- matches, or read every trigram match and sort. The planner picks by its estimate
-- of how many names match; sampled statistics make that estimate (and so the plan)
-- wrong for strings in well under 1% of rows. A larger sample fixes the estimates,
-- and an index that carries name_search makes the newest-first walk index-only.
-- BENCHMARKS.md has the figures and plans.
ALTER TABLE clients ALTER COLUMN name_search SET STATISTICS 1000;
--bun:split
CREATE INDEX clients_tenant_id_name ON clients (tenant_id, id) INCLUDE (name_search);
--bun:split
DROP INDEX clients_tenant_id;
--bun:split
ANALYZE clients;
{{- else}}
SELECT 1;
{{- end}}
