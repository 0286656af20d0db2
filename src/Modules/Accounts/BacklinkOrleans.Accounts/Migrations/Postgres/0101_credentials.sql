-- Third-party credentials of tenants (ciphertext only) and the Data Protection key ring that encrypts them.
-- The key ring's XML is itself encrypted with the master key, which never enters the database.
CREATE TABLE credentials (
    tenant_id      text    NOT NULL,
    credential_id  text    NOT NULL,
    kind           text    NOT NULL,     -- indexnow | google | vendor
    label          text    NOT NULL,
    scope          text    NOT NULL,     -- JSON: what it covers (host, keyLocation, properties, …); never secret
    fingerprint    text    NOT NULL,
    protected      text    NOT NULL,     -- the secret, encrypted with the tenant's protector
    status         text    NOT NULL,     -- unverified | verified | failed
    detail         text,
    verified_at    bigint,
    created_at     bigint NOT NULL,
    PRIMARY KEY (tenant_id, credential_id)
);

CREATE TABLE data_protection_keys (
    friendly_name  text    PRIMARY KEY,
    xml            text    NOT NULL,
    created_at     bigint NOT NULL
);
