{{- if .Postgres}}
CREATE INDEX clients_tenant_id ON clients (tenant_id, id);
--bun:split
DROP INDEX clients_tenant_id_name;
--bun:split
ALTER TABLE clients ALTER COLUMN name_search SET STATISTICS -1;
{{- else}}
SELECT 1;
{{- end}}
