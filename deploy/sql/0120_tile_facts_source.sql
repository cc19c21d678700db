-- Exact file facts: pcrs_tiles.size/modified_at/etag hold the most exact facts the protocol gave (an HTTP response's
-- Content-Range, Last-Modified and ETag rather than a listing page's "51K"), facts_source names where they came from,
-- and listing_stamp keeps what the listing said when the file was read, so a rescan compares listing with listing and
-- an unchanged file whose listing rounds its size stays unchanged. Rows written earlier keep a null stamp (their size
-- is the listing's, compared as before).
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS facts_source text;
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS listing_stamp text;
