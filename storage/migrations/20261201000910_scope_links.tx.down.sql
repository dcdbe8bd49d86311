{{- if .Postgres}}
DROP INDEX clients_tenant_office;
--bun:split
{{- end}}
DROP INDEX associate_links_associate;
--bun:split
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id);
