-- Projects, deliverables and storage declarations (web front). Idempotent: safe to apply on every start-up.
-- The project and deliverable documents are kept as JSON (the shape users edit); the columns the server filters or
-- joins on are real columns.

CREATE TABLE IF NOT EXISTS pcrs_projects (
    id              uuid        PRIMARY KEY,
    name            text        NOT NULL,
    document        jsonb       NOT NULL,
    -- Hex SHA-256 of the editor key handed out once at creation; the key itself is never stored.
    editor_key_hash text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Soft delete: the row stays for history, every public read and export filters it out.
    deleted_at      timestamptz NULL
);

CREATE TABLE IF NOT EXISTS pcrs_deliverables (
    id          uuid    PRIMARY KEY,
    project_id  uuid    NOT NULL REFERENCES pcrs_projects (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    document    jsonb   NOT NULL
);
CREATE INDEX IF NOT EXISTS pcrs_deliverables_project ON pcrs_deliverables (project_id, position);

-- At most one storage per deliverable. Revocation deletes the row, so the (encrypted) password is erased, not hidden.
CREATE TABLE IF NOT EXISTS pcrs_storage_declarations (
    deliverable_id     uuid        PRIMARY KEY REFERENCES pcrs_deliverables (id) ON DELETE CASCADE,
    -- StorageLocation.IdentityKey: protocol family, host, port, account. Scan data in the catalogue is keyed by it.
    storage_identity   text        NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('http', 'ftp', 'sftp')),
    -- Storage URL without any password (scheme, host, port, user, start path).
    location           text        NOT NULL,
    start_path         text        NOT NULL,
    tls                text        NULL,
    user_name          text        NULL,
    -- Password protected with the key ring shared by the silos; null when none was given.
    protected_password text        NULL,
    public_connection  boolean     NOT NULL,
    download_allowed   boolean     NOT NULL,
    declared_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS pcrs_storage_declarations_identity ON pcrs_storage_declarations (storage_identity);
