-- 0001: tables and named queries that the Orleans ADO.NET providers (Invariant "Npgsql") read at start-up,
-- for clustering (silo membership, client gateway list) and reminders.
--
-- Written for this project from the provider contract (query keys, bound parameter names, result column names);
-- see deploy/sql/README.md. The providers only know the query keys, so the tables use our own snake_case names and
-- each query aliases its columns to the names the providers read (Npgsql matches them case-insensitively).
--
-- Conventions that the contract imposes:
--   * every time is a timestamptz: Npgsql binds UTC DateTime values as timestamptz;
--   * "boolean" queries return exactly one row with one integer column (1 = done, 0 = refused);
--   * a version row per cluster (deployment) is the table-wide ETag: every member write must change it atomically
--     with the row it writes, and must do nothing at all when the caller's version is stale.
-- Re-applying this file is harmless: tables use IF NOT EXISTS, query texts are upserted.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_membership_versions (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    changed_at    timestamptz NOT NULL DEFAULT now()
);

-- Deleting a cluster's version row removes its members with it.
CREATE TABLE IF NOT EXISTS orleans_members (
    deployment_id   text        NOT NULL REFERENCES orleans_membership_versions (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- grain_hash holds the uint ring hash reinterpreted as a signed int (that is how the provider binds it).
CREATE TABLE IF NOT EXISTS orleans_reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo loads the reminders of its ring range.
CREATE INDEX IF NOT EXISTS orleans_reminders_by_hash ON orleans_reminders (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES

-- ---------------------------------------------------------------- clustering
-- Bound: DeploymentId. One row: 1 when this call created the cluster's version row, 0 when it already existed.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_versions (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM created
$q$),

-- Bound: DeploymentId. The version row joined to every member; a NULL StartTime means "no member on this row".
('MembershipReadAllKey', $q$
SELECT v.version         AS Version,
       m.address         AS Address,
       m.port            AS Port,
       m.generation      AS Generation,
       m.silo_name       AS SiloName,
       m.host_name       AS HostName,
       m.status          AS Status,
       m.proxy_port      AS ProxyPort,
       m.suspect_times   AS SuspectTimes,
       m.start_time      AS StartTime,
       m.i_am_alive_time AS IAmAliveTime
FROM orleans_membership_versions v
LEFT JOIN orleans_members m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

-- Bound: DeploymentId, Address, Port, Generation. Same shape; the version row comes back even without the member.
('MembershipReadRowKey', $q$
SELECT v.version         AS Version,
       m.address         AS Address,
       m.port            AS Port,
       m.generation      AS Generation,
       m.silo_name       AS SiloName,
       m.host_name       AS HostName,
       m.status          AS Status,
       m.proxy_port      AS ProxyPort,
       m.suspect_times   AS SuspectTimes,
       m.start_time      AS StartTime,
       m.i_am_alive_time AS IAmAliveTime
FROM orleans_membership_versions v
LEFT JOIN orleans_members m
       ON m.deployment_id = v.deployment_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

-- Bound: DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime, Version.
-- The version UPDATE is the gate: it locks the version row, so concurrent writers queue and re-check the version
-- after the wait. The member is inserted only from the row the gate let through. A duplicate key would raise,
-- rolling the bump back with it, so nothing changes unless both writes happen.
('InsertMembershipKey', $q$
WITH gate AS (
    UPDATE orleans_membership_versions
       SET version = version + 1, changed_at = now()
     WHERE deployment_id = @DeploymentId
       AND version = @Version
       AND NOT EXISTS (SELECT 1 FROM orleans_members
                        WHERE deployment_id = @DeploymentId
                          AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), added AS (
    INSERT INTO orleans_members (deployment_id, address, port, generation, silo_name, host_name, status,
                                 proxy_port, suspect_times, start_time, i_am_alive_time)
    SELECT gate.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
           coalesce(@ProxyPort, 0), NULL, @StartTime, @IAmAliveTime
      FROM gate
    RETURNING 1
)
SELECT count(*)::integer FROM added
$q$),

-- Bound: DeploymentId, Address, Port, Generation, Status, SuspectTimes, IAmAliveTime, Version. Same gate as above.
('UpdateMembershipKey', $q$
WITH gate AS (
    UPDATE orleans_membership_versions
       SET version = version + 1, changed_at = now()
     WHERE deployment_id = @DeploymentId
       AND version = @Version
       AND EXISTS (SELECT 1 FROM orleans_members
                    WHERE deployment_id = @DeploymentId
                      AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), changed AS (
    UPDATE orleans_members m
       SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
      FROM gate
     WHERE m.deployment_id = gate.deployment_id
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT count(*)::integer FROM changed
$q$),

-- Bound: DeploymentId, Address, Port, Generation, IAmAliveTime. A heartbeat: never touches the version or the status.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_members
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId
   AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- Bound: DeploymentId, Status (Active). The silos a client may connect to.
('GatewaysQueryKey', $q$
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
  FROM orleans_members
 WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Bound: DeploymentId. Drops the whole cluster; members go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_versions WHERE deployment_id = @DeploymentId
$q$),

-- Bound: DeploymentId, IAmAliveTime (the cut-off). Only dead silos (status 6) are removed, never the version row.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_members
 WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime
$q$),

-- Bound: DeploymentId, Address, Port, Generation, SuspectTimes, StartTime, IAmAliveTime, as the provider read them.
-- Removes that one dead row only if it is still exactly what was read (NULL and '' both mean "no suspicions").
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_members
 WHERE deployment_id = @DeploymentId
   AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6
   AND start_time = @StartTime
   AND i_am_alive_time = @IAmAliveTime
   AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$),

-- ---------------------------------------------------------------- reminders
-- Bound: ServiceId, GrainId. Every reminder of one grain.
('ReadReminderRowsKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM orleans_reminders
 WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),

-- Bound: ServiceId, GrainId, ReminderName.
('ReadReminderRowKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM orleans_reminders
 WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),

-- Bound: ServiceId, BeginHash, EndHash. The range (BeginHash, EndHash] when it does not wrap (signed comparison).
('ReadRangeRows1Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM orleans_reminders
 WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),

-- Bound: ServiceId, BeginHash, EndHash. The wrapping range; BeginHash = EndHash means the whole ring.
('ReadRangeRows2Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM orleans_reminders
 WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),

-- Bound: ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash. Returns the new version (the ETag).
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET start_time = excluded.start_time,
       period     = excluded.period,
       grain_hash = excluded.grain_hash,
       version    = CASE WHEN orleans_reminders.version = 2147483647 THEN 0 ELSE orleans_reminders.version + 1 END
RETURNING version AS Version
$q$),

-- Bound: ServiceId, GrainId, ReminderName, Version. Deletes only the version the caller holds.
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM orleans_reminders
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT count(*)::integer FROM removed
$q$),

-- Bound: ServiceId. Every reminder of the service.
('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders WHERE service_id = @ServiceId
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
