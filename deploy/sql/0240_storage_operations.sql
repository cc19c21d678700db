-- Operators' settings of a storage, set by administrators (issue 16): scanning paused, a connection limit and a rescan
-- period that replace the deployment's and the declarations' for this storage. The row keyed '*' holds the pause of
-- every storage. Read by the storage's grain whichever silo activates it, so a setting holds across the cluster.
CREATE TABLE IF NOT EXISTS pcrs_storage_operations (
    storage_key     text        PRIMARY KEY,
    paused          boolean     NOT NULL DEFAULT false,
    max_connections integer     NULL CHECK (max_connections BETWEEN 1 AND 64),
    rescan_days     integer     NULL CHECK (rescan_days BETWEEN 1 AND 365),
    changed_at      timestamptz NOT NULL DEFAULT now()
);
