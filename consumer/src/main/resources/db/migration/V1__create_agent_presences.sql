-- One row per user: the newest presence event applied for that user.
-- user_id is compared byte for byte (utf8mb4_bin), so 'Alice' and 'alice' are two users.
-- No other UNIQUE index may ever be added: ON DUPLICATE KEY UPDATE matches any unique key.
CREATE TABLE agent_presences (
    user_id    VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    status     VARCHAR(32)  NOT NULL,
    event_ts   BIGINT       NOT NULL COMMENT 'event time of the applied event, epoch milliseconds',
    source     VARCHAR(64)  NULL     COMMENT 'publisher of the applied event',
    updated_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT 'when the row was last written',
    PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The newest deletion (tombstone) applied per user, so an older event that arrives late cannot bring the
-- deleted row back.
CREATE TABLE agent_presence_tombstones (
    user_id    VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    deleted_ts BIGINT       NOT NULL COMMENT 'event time of the deletion, epoch milliseconds',
    PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
