-- Data scope at scale (issue 11, BENCHMARKS.md "Data scope at 1M clients").
-- A list under a small subtree reads the subtree's client IDs first (storage
-- clientscope.go): for a link subtree, a range on associates_tenant_path,
-- then per associate its links, from this index alone (it carries the entity
-- of each link, and still serves AssociateLinks' order: tenant, associate,
-- id); for an office subtree, per office its clients, from
-- clients_tenant_office alone (PostgreSQL: SQLite keeps one plan, the walk).
DROP INDEX associate_links_associate;
--bun:split
{{- if .Postgres}}
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id) INCLUDE (entity_kind, entity_id);
--bun:split
CREATE INDEX clients_tenant_office ON clients (tenant_id, office_id, id);
{{- else}}
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id, entity_kind, entity_id);
{{- end}}
