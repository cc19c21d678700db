-- 0003: beats written by the diagnostic HeartbeatGrain's reminder. They prove that reminders fire, and keep firing
-- after every silo restarted (tests and operators read this table). Kept small: one row per beat.
CREATE TABLE IF NOT EXISTS pcrs_heartbeats (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grain_key text        NOT NULL,
    silo      text        NOT NULL,
    beat_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS pcrs_heartbeats_by_key ON pcrs_heartbeats (grain_key, beat_at);
