-- The deletion ledger is pruned by age (tombstone.retention). With an index on the deletion time the prune reads,
-- and locks, only the expired entries, a bounded chunk at a time, instead of scanning the whole ledger.
CREATE INDEX agent_presence_tombstones_deleted_ts ON agent_presence_tombstones (deleted_ts);
