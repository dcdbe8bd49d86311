-- Data scope at scale (issue 11, BENCHMARKS.md "Data scope at 1M clients"). A
-- restricted scope lists the client IDs linked to the associates of a subtree:
-- one range on associates_tenant_path, then, per associate, its links. This
-- index carries the entity of each link, so reading them touches no table
-- row; it still serves AssociateLinks' keyset order (tenant, associate, id).
DROP INDEX associate_links_associate;
--bun:split
{{- if .Postgres}}
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id) INCLUDE (entity_kind, entity_id);
{{- else}}
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id, entity_kind, entity_id);
{{- end}}
