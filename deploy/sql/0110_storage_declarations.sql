-- Each deliverable's declaration owns its credentials. Until now a storage shared by several deliverables held one
-- password, TLS mode and set of trust pins: the latest declaration's, for everyone. From here the attachment row is the
-- whole declaration, written by the StorageGrain alone: its own login, password (encrypted with the key ring: the one
-- copy at rest), TLS mode (in scheme), trust pins, rescan period, and whether a login with them was proven. The crawl
-- uses one proven declaration's login (pcrs_storages.crawl_credential).
-- IF NOT EXISTS / guarded updates: migrations must stay harmless when their text is run again by hand.

ALTER TABLE pcrs_storage_attachments
    ADD COLUMN IF NOT EXISTS scheme           text,                              -- http, https, ftp, ftpes, ftps, sftp, file
    ADD COLUMN IF NOT EXISTS user_name        text,
    ADD COLUMN IF NOT EXISTS protected_secret text,                              -- password encrypted with the key ring; NULL without one
    ADD COLUMN IF NOT EXISTS trust_pins       text[] NOT NULL DEFAULT '{}',      -- certificate / host-key fingerprints "SHA256:…"
    ADD COLUMN IF NOT EXISTS rescan_days      integer CHECK (rescan_days BETWEEN 1 AND 365),
    ADD COLUMN IF NOT EXISTS state            text NOT NULL DEFAULT 'verifying', -- verifying, proven, failed
    ADD COLUMN IF NOT EXISTS state_error      text,                              -- the server's reason when failed
    ADD COLUMN IF NOT EXISTS verified_at      timestamptz,
    ADD COLUMN IF NOT EXISTS password_required boolean NOT NULL DEFAULT false, -- the last proof needed the password (HTTP: not on public folders)
    ADD COLUMN IF NOT EXISTS revision         bigint NOT NULL DEFAULT 1;         -- grows with each declaration: stale proofs are ignored

ALTER TABLE pcrs_storages ADD COLUMN IF NOT EXISTS crawl_credential text COLLATE "C"; -- deliverable whose proven login the crawl uses

-- Existing attachments ran on their storage's single login: each gets a copy as its own, to be proven again (state
-- 'verifying': the StorageGrain proves it when it next activates; nothing is shown until then). 0203 then replaces it
-- with the owner's own declaration where the web front kept one.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'pcrs_storages' AND column_name = 'protected_secret') THEN
        UPDATE pcrs_storage_attachments a
        SET scheme = s.scheme, user_name = s.user_name, protected_secret = s.protected_secret, trust_pins = s.trust_pins
        FROM pcrs_storages s
        WHERE s.storage_key = a.storage_key AND a.scheme IS NULL;
        ALTER TABLE pcrs_storages DROP COLUMN protected_secret;
        ALTER TABLE pcrs_storages DROP COLUMN trust_pins;
    END IF;
END $$;

UPDATE pcrs_storage_attachments a SET scheme = s.scheme FROM pcrs_storages s WHERE s.storage_key = a.storage_key AND a.scheme IS NULL;
ALTER TABLE pcrs_storage_attachments ALTER COLUMN scheme SET NOT NULL;
