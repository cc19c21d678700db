-- Certificate (HTTPS, FTPS) or SSH host-key fingerprints ("SHA256:base64") the owner declared as trusted for the storage,
-- e.g. a self-signed FTPS certificate; empty: the usual checks (public CAs, host key pinned on first login).
-- IF NOT EXISTS: migrations must stay harmless when their text is run again by hand.
ALTER TABLE pcrs_storage_declarations
    ADD COLUMN IF NOT EXISTS trust text[] NOT NULL DEFAULT '{}';
