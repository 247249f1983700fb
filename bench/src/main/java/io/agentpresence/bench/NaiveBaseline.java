package io.agentpresence.bench;

import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the original fix did, moved behind Kafka: one consumer, and for every record one autocommitted
 * upsert (the same guarded statement). Run for a bounded time; its rate is the baseline for the ratio.
 */
final class NaiveBaseline {

    record Result(long events, double seconds) {
        double rate() {
            return events / seconds;
        }
    }

    static Result run(String bootstrapServers, String topic, String jdbcUrl, String user, String password,
                      int limit, Duration maxTime) throws Exception {
        PresenceEventCodec codec = new PresenceEventCodec();
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                     ConsumerConfig.GROUP_ID_CONFIG, "naive-" + UUID.randomUUID(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                     ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                     ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            c.setAutoCommit(true);
            PreparedStatement upsert = c.prepareStatement(
                    new PresenceUpsert(SqlDialect.fromVersion(SqlDialect.serverVersion(c))).upsert());
            consumer.subscribe(List.of(topic));
            long start = System.nanoTime();
            long deadline = start + maxTime.toNanos();
            long done = 0;
            while (done < limit && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    PresenceEvent e = codec.decode(record.key(), record.value(), record.timestamp());
                    upsert.setString(1, e.userId());
                    upsert.setString(2, e.status());
                    upsert.setLong(3, e.ts());
                    upsert.setLong(4, e.ts());
                    upsert.setString(5, e.source());
                    upsert.executeUpdate();
                    done++;
                }
            }
            return new Result(done, (System.nanoTime() - start) / 1e9);
        }
    }

    private NaiveBaseline() {
    }
}
