-- The outbox's own records. River's tables (river_job, …) carry the jobs; these
-- say, per effect, what a caller may ask about it (pending, delivered, parked,
-- with the last error) and, per entity and target adapter, what has reached the
-- adapter so far (created yet, which version), under a lease that keeps two
-- workers off one entity.
CREATE TABLE clientele_effects (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    op          TEXT NOT NULL,
    target      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    params      {{.JSON}} NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    job_id      BIGINT NOT NULL DEFAULT 0,
    created_at  {{.Timestamp}} NOT NULL,
    updated_at  {{.Timestamp}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX clientele_effects_key ON clientele_effects (tenant_id, idem_key);
--bun:split
CREATE INDEX clientele_effects_entity ON clientele_effects (tenant_id, entity_kind, entity_id, id);
--bun:split
CREATE INDEX clientele_effects_status ON clientele_effects (tenant_id, status, id);
--bun:split
CREATE TABLE clientele_effect_progress (
    tenant_id   TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    target      TEXT NOT NULL,
    created     BOOLEAN NOT NULL,
    version     BIGINT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until {{.Timestamp}} NULL,
    updated_at  {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, entity_kind, entity_id, target)
);
