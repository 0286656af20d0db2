-- Third-party credentials of tenants (ciphertext only) and the Data Protection key ring that encrypts them.
-- The key ring's XML is itself encrypted with the master key, which never enters the database.
CREATE TABLE credentials (
    tenant_id      TEXT    NOT NULL,
    credential_id  TEXT    NOT NULL,
    kind           TEXT    NOT NULL,     -- indexnow | google | vendor
    label          TEXT    NOT NULL,
    scope          TEXT    NOT NULL,     -- JSON: what it covers (host, keyLocation, properties, …); never secret
    fingerprint    TEXT    NOT NULL,
    protected      TEXT    NOT NULL,     -- the secret, encrypted with the tenant's protector
    status         TEXT    NOT NULL,     -- unverified | verified | failed
    detail         TEXT,
    verified_at    INTEGER,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, credential_id)
);

CREATE TABLE data_protection_keys (
    friendly_name  TEXT    PRIMARY KEY,
    xml            TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
