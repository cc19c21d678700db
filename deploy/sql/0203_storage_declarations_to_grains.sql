-- Storage declarations move to their one owner, the StorageGrain (pcrs_storage_attachments, see 0110). The web front's
-- copy held a second encrypted password per declaration, the access flags the downloads read (while scans read the
-- grain's), and the rescan days and trust pins: nothing that is the web front's alone, so after moving each owner's own
-- values over, the table goes. A declaration the grain never took (no attachment row) was never scanned: it is dropped
-- with the table, and its owner declares it again.
-- Guarded: harmless when run again by hand.
DO $$
BEGIN
    IF to_regclass('pcrs_storage_declarations') IS NOT NULL THEN
        UPDATE pcrs_storage_attachments a
        SET scheme = split_part(d.location, '://', 1),
            user_name = d.user_name,
            protected_secret = d.protected_password,
            trust_pins = d.trust,
            rescan_days = d.rescan_days,
            public_connection = d.public_connection,
            download_allowed = d.download_allowed,
            state = 'verifying',
            state_error = NULL,
            revision = a.revision + 1
        FROM pcrs_storage_declarations d
        WHERE a.deliverable_id = d.deliverable_id::text AND a.storage_key = d.storage_identity;
        DROP TABLE pcrs_storage_declarations;
    END IF;
END $$;
