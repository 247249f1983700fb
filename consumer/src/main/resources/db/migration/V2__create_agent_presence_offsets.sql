-- The consumed position of each partition, written in the same transaction as the rows it produced.
-- On assignment the consumer seeks here, so a database restored from a backup replays exactly the events
-- it is missing; a writer whose expected position no longer matches is fenced off (it lost the partition).
CREATE TABLE agent_presence_offsets (
    group_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    topic       VARCHAR(249) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    kafka_partition INT      NOT NULL,
    next_offset BIGINT       NOT NULL COMMENT 'offset of the next record to apply',
    updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (group_id, topic, kafka_partition)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
