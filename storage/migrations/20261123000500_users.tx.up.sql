CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    type            TEXT NOT NULL,
    state           TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    associate_id    TEXT NOT NULL DEFAULT '',
    client_id       TEXT NOT NULL DEFAULT '',
    roles           {{.JSON}} NOT NULL DEFAULT '[]',
    did             TEXT NOT NULL DEFAULT '',
    social_provider TEXT NOT NULL DEFAULT '',
    social_subject  TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL DEFAULT '',
    pin_hash        TEXT NOT NULL DEFAULT '',
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    {{.Timestamp}},
    invited_by      TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL,
    created_at      {{.Timestamp}} NOT NULL,
    updated_at      {{.Timestamp}} NOT NULL,
    activated_at    {{.Timestamp}}
);
--bun:split
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, email) WHERE email <> '';
--bun:split
CREATE UNIQUE INDEX users_tenant_phone ON users (tenant_id, phone) WHERE phone <> '';
--bun:split
CREATE UNIQUE INDEX users_tenant_social ON users (tenant_id, social_provider, social_subject) WHERE social_subject <> '';
--bun:split
CREATE INDEX users_tenant_id ON users (tenant_id, id);
--bun:split
CREATE TABLE user_codes (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    hash       TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at {{.Timestamp}} NOT NULL,
    used_at    {{.Timestamp}},
    created_at {{.Timestamp}} NOT NULL
);
--bun:split
CREATE INDEX user_codes_user ON user_codes (tenant_id, user_id, purpose, created_at);
--bun:split
CREATE INDEX user_codes_hash ON user_codes (tenant_id, hash);
--bun:split
CREATE TABLE user_sessions (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    method     TEXT NOT NULL,
    created_at {{.Timestamp}} NOT NULL,
    expires_at {{.Timestamp}} NOT NULL,
    revoked_at {{.Timestamp}}
);
--bun:split
CREATE UNIQUE INDEX user_sessions_token ON user_sessions (token_hash);
--bun:split
CREATE INDEX user_sessions_user ON user_sessions (tenant_id, user_id);
