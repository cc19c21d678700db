-- Catalogue of the scanner: storages, deliverable attachments, scan history, directory entries and tiles.
-- Paths are absolute on the storage, decoded, '/'-separated, stored with the "C" collation so that a path prefix is a
-- plain index range (children of '/a' are the paths in ['/a/', '/a0')).
-- Every table is keyed by (storage, path) or (storage, number): re-running a scan upserts, it never duplicates.

CREATE TABLE IF NOT EXISTS pcrs_storages (
    storage_key        text COLLATE "C" PRIMARY KEY,     -- StorageLocation.IdentityKey: protocol family, host, port, account
    scheme             text NOT NULL,                    -- http, https, ftp, ftpes, ftps, sftp, file (TLS mode lives here)
    host               text NOT NULL,
    port               integer NOT NULL,
    user_name          text,
    protected_secret   text,                             -- password encrypted with the silos' shared key ring; NULL once revoked
    trust_pins         text[] NOT NULL DEFAULT '{}',     -- accepted certificate / host-key fingerprints "SHA256:…"
    host_key           text,                             -- SSH host key pinned on first successful login
    rescan_period      interval NOT NULL DEFAULT interval '30 days',
    scan_number        bigint NOT NULL DEFAULT 0,
    scan_roots         text[] NOT NULL DEFAULT '{}',     -- minimal set of start paths crawled by the current/last scan
    status             text NOT NULL DEFAULT 'queued',   -- queued, listing, analysing, succeeded, failed
    scan_started_at    timestamptz,
    progress_directories bigint NOT NULL DEFAULT 0,
    progress_files     bigint NOT NULL DEFAULT 0,
    progress_analysed  bigint NOT NULL DEFAULT 0,
    progress_unchanged bigint NOT NULL DEFAULT 0,
    progress_errors    bigint NOT NULL DEFAULT 0,
    progress_bytes_read bigint NOT NULL DEFAULT 0,
    last_success_at    timestamptz,
    last_summary       jsonb,                            -- summary of the last successful scan, kept when a rescan fails
    last_error         text,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS pcrs_storage_attachments (
    deliverable_id     text COLLATE "C" PRIMARY KEY,     -- a deliverable has at most one storage
    storage_key        text COLLATE "C" NOT NULL REFERENCES pcrs_storages (storage_key) ON DELETE CASCADE,
    start_path         text COLLATE "C" NOT NULL,
    public_connection  boolean NOT NULL DEFAULT false,
    download_allowed   boolean NOT NULL DEFAULT false,
    attached_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS pcrs_storage_attachments_storage ON pcrs_storage_attachments (storage_key);

CREATE TABLE IF NOT EXISTS pcrs_scans (
    storage_key        text COLLATE "C" NOT NULL REFERENCES pcrs_storages (storage_key) ON DELETE CASCADE,
    scan_number        bigint NOT NULL,
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz,
    status             text NOT NULL,
    directories        bigint NOT NULL DEFAULT 0,
    files              bigint NOT NULL DEFAULT 0,
    analysed           bigint NOT NULL DEFAULT 0,
    unchanged          bigint NOT NULL DEFAULT 0,
    errors             bigint NOT NULL DEFAULT 0,
    bytes_read         bigint NOT NULL DEFAULT 0,
    error              text,
    PRIMARY KEY (storage_key, scan_number)
);

-- One row per name seen in a listing (files and sub-directories) under its parent directory.
CREATE TABLE IF NOT EXISTS pcrs_entries (
    storage_key        text COLLATE "C" NOT NULL,
    path               text COLLATE "C" NOT NULL,
    parent_path        text COLLATE "C" NOT NULL,
    kind               char(1) NOT NULL,                 -- 'f' file, 'd' directory
    size               bigint,
    modified_at        timestamptz,
    etag               text,
    last_seen_scan     bigint NOT NULL,
    PRIMARY KEY (storage_key, path)
);
CREATE INDEX IF NOT EXISTS pcrs_entries_parent ON pcrs_entries (storage_key, parent_path);

-- Per directory: the last scan it completed (with its subtree counts) and whether its last listing failed.
CREATE TABLE IF NOT EXISTS pcrs_directories (
    storage_key        text COLLATE "C" NOT NULL,
    path               text COLLATE "C" NOT NULL,
    completed_scan     bigint NOT NULL DEFAULT 0,
    sub_directories    bigint NOT NULL DEFAULT 0,
    sub_files          bigint NOT NULL DEFAULT 0,
    sub_data_files     bigint NOT NULL DEFAULT 0,
    sub_total_bytes    bigint NOT NULL DEFAULT 0,
    sub_errors         bigint NOT NULL DEFAULT 0,
    sub_failed_listings bigint NOT NULL DEFAULT 0,
    first_error        text,
    listing_failed     boolean NOT NULL DEFAULT false,
    listing_error      text,
    listed_at          timestamptz,
    PRIMARY KEY (storage_key, path)
);

-- Header metadata of every data file; the size/modification time/ETag/sidecars it was read from decide "unchanged".
CREATE TABLE IF NOT EXISTS pcrs_tiles (
    storage_key        text COLLATE "C" NOT NULL,
    path               text COLLATE "C" NOT NULL,
    size               bigint,
    modified_at        timestamptz,
    etag               text,
    sidecar_signature  text NOT NULL DEFAULT '',
    format             text,
    classification     text,
    width              integer,
    height             integer,
    bands              integer,
    band_names         text[] NOT NULL DEFAULT '{}',
    bits_per_sample    integer,
    epsg               integer,
    crs_name           text,
    geo_transform      double precision[],
    resolution         double precision,
    compression        text,
    footprint          jsonb,                            -- GeoJSON Polygon, WGS84, RFC 7946 order
    min_lon            double precision,
    min_lat            double precision,
    max_lon            double precision,
    max_lat            double precision,
    bytes_read         bigint NOT NULL DEFAULT 0,
    error              text,
    scan_number        bigint NOT NULL,
    scanned_at         timestamptz NOT NULL,
    PRIMARY KEY (storage_key, path)
);
-- Spatial index without PostGIS: a GiST index on the footprint's bounding box as a geometric box.
CREATE INDEX IF NOT EXISTS pcrs_tiles_bbox ON pcrs_tiles USING gist (box(point(min_lon, min_lat), point(max_lon, max_lat)))
    WHERE min_lon IS NOT NULL;
