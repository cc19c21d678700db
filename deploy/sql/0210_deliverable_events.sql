-- Events of a deliverable's storage that leave no other trace once done: a revocation deletes the declaration row
-- (and with it the encrypted password), a replacement overwrites it. The change feed (Atom) lists them beside the
-- scans of pcrs_scans. No foreign key: the history outlives a deliverable removed from its project; the feed only
-- shows projects that are not deleted.
CREATE TABLE IF NOT EXISTS pcrs_deliverable_events (
    id              bigserial   PRIMARY KEY,
    project_id      uuid        NOT NULL,
    deliverable_id  uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('storage_revoked', 'storage_replaced', 'deliverable_removed')),
    storage_kind    text        NULL,       -- http, ftp, sftp: the storage the event took away (never its location)
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS pcrs_deliverable_events_project ON pcrs_deliverable_events (project_id, at DESC);
CREATE INDEX IF NOT EXISTS pcrs_deliverable_events_at ON pcrs_deliverable_events (at DESC);
