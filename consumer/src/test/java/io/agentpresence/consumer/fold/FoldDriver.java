package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The fold topology in a {@link TopologyTestDriver}, configured as {@code fold} configures it (exactly-once,
 * persistent stores in a test directory), with device events in and user-level events out as plain values.
 */
final class FoldDriver implements AutoCloseable {

    static final String DEVICES = "devices";
    static final String PRESENCE = "presence";
    static final String DEAD_LETTERS = "presence.dlq";
    static final String APPLICATION_ID = "fold-test";
    static final Duration TTL = Duration.ofSeconds(90);
    static final Duration SWEEP = Duration.ofSeconds(5);

    /** One record on the presence topic: an event, or a tombstone ({@code event} null) for {@code userId}. */
    record Emitted(String userId, PresenceEvent event, long timestamp) {
    }

    private final PresenceEventCodec codec;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> devices;
    private final TestOutputTopic<byte[], byte[]> presence;
    private final TestOutputTopic<byte[], byte[]> deadLetters;

    FoldDriver(Path stateDir, Instant wallClock) {
        this(stateDir, wallClock, Map.of());
    }

    FoldDriver(Path stateDir, Instant wallClock, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:9092");
        settings.put("db.url", "jdbc:mysql://127.0.0.1:1/unused");
        settings.put("topic", PRESENCE);
        settings.put("dlq.topic", DEAD_LETTERS);
        settings.put("device.topic", DEVICES);
        settings.put("device.ttl", "90s");
        settings.put("fold.sweep.interval", "5s");
        settings.put("fold.application.id", APPLICATION_ID);
        settings.put("fold.state.dir", stateDir.toString());
        settings.putAll(overrides);
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(settings, FoldSettings.KEYS);
        FoldSettings fold = FoldSettings.from(config);
        codec = config.codec();
        driver = new TopologyTestDriver(FoldTopology.build(fold, new FoldMetrics(registry)),
                KafkaClients.streams(config, fold.applicationId(), fold.stateDir()), wallClock);
        devices = driver.createInputTopic(DEVICES, new ByteArraySerializer(), new ByteArraySerializer());
        presence = driver.createOutputTopic(PRESENCE, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    void status(String userId, String device, String status, long ts) throws MalformedEventException {
        send(new PresenceEvent(PresenceEvent.Kind.STATUS, userId, status, ts, "plugin", device));
    }

    void heartbeat(String userId, String device, long ts) throws MalformedEventException {
        send(PresenceEvent.heartbeat(userId, ts, "plugin", device));
    }

    void send(PresenceEvent event) throws MalformedEventException {
        devices.pipeInput(PresenceEventCodec.key(event.userId()), codec.encode(event), event.ts());
    }

    void tombstone(String userId, long timestamp) {
        devices.pipeInput(PresenceEventCodec.key(userId), null, timestamp);
    }

    void raw(String key, String value, long timestamp) {
        devices.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), timestamp);
    }

    /** Moves the wall clock on; the sweep runs when it is due. */
    void advance(Duration by) {
        driver.advanceWallClockTime(by);
    }

    /** What the fold wrote to the presence topic since the last call. */
    List<Emitted> emitted() {
        return presence.readRecordsToList().stream().map(this::decode).toList();
    }

    /** Only the status events among {@link #emitted()}. */
    static List<PresenceEvent> statuses(List<Emitted> emitted) {
        return emitted.stream().map(Emitted::event).filter(e -> e != null && !e.isHeartbeat()).toList();
    }

    private Emitted decode(TestRecord<byte[], byte[]> record) {
        String userId = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            return new Emitted(userId, null, record.timestamp());
        }
        try {
            // decoded as the consumer decodes it, so whatever passes here the consumer accepts
            return new Emitted(userId, codec.decode(record.key(), record.value(), record.timestamp()), record.timestamp());
        } catch (MalformedEventException e) {
            throw new AssertionError("the fold wrote an event the consumer refuses: " + e.getMessage(), e);
        }
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    /** The records written to a store's changelog topic, in order. */
    List<TestRecord<byte[], byte[]>> changelog(String store) {
        return driver.createOutputTopic(APPLICATION_ID + "-" + store + "-changelog", new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList();
    }

    <K, V> KeyValueStore<K, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    double count(String meter, String tag, String value) {
        Search search = Search.in(registry).name(meter);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    @Override
    public void close() {
        driver.close();
    }
}
