CREATE TABLE roles (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    permissions {{.JSON}} NOT NULL,
    created_at  {{.Timestamp}} NOT NULL,
    updated_at  {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
