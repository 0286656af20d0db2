-- Accounts read models: tenants and API keys (only SHA-256 hashes of key secrets are ever stored).
CREATE TABLE tenants (
    tenant_id   text    PRIMARY KEY,
    name        text    NOT NULL,
    created_at  bigint NOT NULL
);

CREATE TABLE api_keys (
    key_id       text    PRIMARY KEY,
    tenant_id    text,                 -- NULL: an operator key
    secret_hash  text    NOT NULL,     -- lowercase hex SHA-256 of the secret part
    label        text    NOT NULL,
    created_at   bigint NOT NULL,
    revoked_at   bigint
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id);
