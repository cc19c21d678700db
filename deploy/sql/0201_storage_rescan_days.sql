-- How often the owner wants the deliverable's storage rescanned (days); NULL: the default (Scanning:DefaultRescanPeriod).
-- IF NOT EXISTS: migrations must stay harmless when their text is run again by hand.
ALTER TABLE pcrs_storage_declarations
    ADD COLUMN IF NOT EXISTS rescan_days integer CHECK (rescan_days BETWEEN 1 AND 365);
