-- Accounts read models: tenants and API keys (only SHA-256 hashes of key secrets are ever stored).
CREATE TABLE tenants (
    tenant_id   TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    key_id       TEXT    PRIMARY KEY,
    tenant_id    TEXT,                 -- NULL: an operator key
    secret_hash  TEXT    NOT NULL,     -- lowercase hex SHA-256 of the secret part
    label        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id);
