-- The Kafka topic id (its UUID, as Kafka prints it) of the topic incarnation a position belongs to. A topic
-- deleted and created again under the same name is a new log with a new id, and an old position must not be
-- used in it. Positions stored before this column existed have none; the consumer writes the topic's current
-- id with their next move.
ALTER TABLE agent_presence_offsets
    ADD COLUMN topic_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL
        COMMENT 'Kafka topic id of the incarnation the position belongs to; NULL when stored before it was recorded'
        AFTER kafka_partition;
