-- 0002: the ASP.NET Core Data Protection key ring, shared by every silo and web front of one deployment,
-- so a secret encrypted by one process can be read by any other. One row per key element (its XML as written
-- by the key manager). Rows are only ever added; the key manager handles expiry and revocation inside the XML.
CREATE TABLE IF NOT EXISTS data_protection_keys (
    friendly_name text        PRIMARY KEY,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
