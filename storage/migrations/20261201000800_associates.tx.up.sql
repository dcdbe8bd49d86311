-- Offices, classifications, associates and their links (issue 11, package
-- associates). Both trees are materialized paths: path is '/' followed by the
-- IDs from the root down to the row, each followed by '/'. A subtree is the
-- rows whose path starts with the root's path, read as one range on the
-- (tenant_id, path) index: path >= '/a/b/' AND path < '/a/b0' ('0' is the
-- byte after '/'). On PostgreSQL the column compares bytewise (COLLATE "C")
-- so that the range and the index agree whatever the database's collation.
CREATE TABLE offices (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL,
    parent_id  TEXT,
    name       TEXT NOT NULL,
    path       TEXT{{if .Postgres}} COLLATE "C"{{end}} NOT NULL,
    state      TEXT NOT NULL,
    version    BIGINT NOT NULL,
    created_at {{.Timestamp}} NOT NULL,
    updated_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES offices (tenant_id, id)
);
--bun:split
CREATE UNIQUE INDEX offices_tenant_path ON offices (tenant_id, path);
--bun:split
CREATE INDEX offices_tenant_parent ON offices (tenant_id, parent_id, state);
--bun:split
CREATE TABLE associate_classifications (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    fields     {{.JSON}} NOT NULL,
    version    BIGINT NOT NULL,
    created_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
--bun:split
CREATE UNIQUE INDEX associate_classifications_name ON associate_classifications (tenant_id, name);
--bun:split
CREATE TABLE associates (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    id                TEXT NOT NULL,
    office_id         TEXT NOT NULL,
    classification_id TEXT NOT NULL,
    parent_id         TEXT,
    path              TEXT{{if .Postgres}} COLLATE "C"{{end}} NOT NULL,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    phone             TEXT NOT NULL,
    agent             BOOLEAN NOT NULL,
    state             TEXT NOT NULL,
    data              {{.JSON}} NOT NULL,
    version           BIGINT NOT NULL,
    created_at        {{.Timestamp}} NOT NULL,
    updated_at        {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, office_id) REFERENCES offices (tenant_id, id),
    FOREIGN KEY (tenant_id, classification_id) REFERENCES associate_classifications (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES associates (tenant_id, id)
);
--bun:split
CREATE UNIQUE INDEX associates_tenant_path ON associates (tenant_id, path);
--bun:split
CREATE INDEX associates_tenant_office ON associates (tenant_id, office_id, state);
--bun:split
CREATE TABLE associate_links (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    associate_id TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    created_at   {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, associate_id) REFERENCES associates (tenant_id, id)
);
--bun:split
CREATE UNIQUE INDEX associate_links_entity ON associate_links (tenant_id, entity_kind, entity_id, associate_id);
--bun:split
CREATE INDEX associate_links_associate ON associate_links (tenant_id, associate_id, id);
