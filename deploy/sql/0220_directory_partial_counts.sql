-- Per directory subtree: folders whose listing failed for a transient reason (server down, timeout, 5xx) and folders a
-- crawl bound or a loop ended. Either makes the scan "partial"; kept here so that a directory answering a repeated order
-- from the catalogue (after a silo died) still reports them.
ALTER TABLE pcrs_directories ADD COLUMN IF NOT EXISTS sub_unreadable_listings bigint NOT NULL DEFAULT 0;
ALTER TABLE pcrs_directories ADD COLUMN IF NOT EXISTS sub_bounded_listings bigint NOT NULL DEFAULT 0;
