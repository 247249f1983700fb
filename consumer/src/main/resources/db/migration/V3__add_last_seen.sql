-- When the user was last seen: the event time of the newest status event or heartbeat the consumer has
-- seen for the user, raised even when the status does not change (a heartbeat, or a status event older
-- than the row). A deletion does not raise it. Existing rows start from the event they reflect.
-- Nullable so that a consumer older than this column can still insert during a rolling upgrade; the
-- consumer reads such a NULL as event_ts.
ALTER TABLE agent_presences
    ADD COLUMN last_seen BIGINT NULL
        COMMENT 'event time of the newest event or heartbeat seen for the user, epoch milliseconds'
        AFTER event_ts;

UPDATE agent_presences SET last_seen = event_ts;
