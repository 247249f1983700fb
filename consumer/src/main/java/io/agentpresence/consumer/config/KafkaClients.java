package io.agentpresence.consumer.config;

import io.agentpresence.model.PresencePublisher;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.processor.LogAndSkipOnInvalidTimestamp;

/**
 * Settings of every Kafka client the service creates. The {@code kafka.*} pass-through properties (security,
 * timeouts, ...) reach each client that knows them; the settings correctness depends on cannot be overridden.
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    /** The group member that applies the topic. */
    public static Map<String, Object> groupConsumer(PresenceConsumerConfig config) {
        Map<String, Object> props = consumer(config, "presence-consumer");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // not overridable: the positions stored with the data say where a partition continues; Kafka moving one by
        // itself (records removed below it) would skip records without a word and without counting them as lost
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        if ("consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            // the KIP-848 protocol assigns on the broker and rejects a client-side assignor
            props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        }
        return props;
    }

    /** A consumer without a group (assign and seek only): replay and rebuild, which must not disturb the group. */
    public static Map<String, Object> standaloneConsumer(PresenceConsumerConfig config, String purpose) {
        Map<String, Object> props = consumer(config, "presence-" + purpose);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        return props;
    }

    private static Map<String, Object> consumer(PresenceConsumerConfig config, String clientPrefix) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(clientPrefix));
        // replay and rebuild read from the log start unless they seek; the group consumer allows no reset
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // a poll takes its records from one fetched partition after another: 64 KB each (some 2,500 compressed
        // events; Kafka's default is 1 MB) spreads a poll over several partitions, so the writers share it
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.putAll(config.kafkaProperties());
        // not overridable: offsets are committed by hand after the database commit, and decoding is ours
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // the fold writes in transactions: events of an aborted one must never reach the table
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    public static Map<String, Object> deadLetterProducer(PresenceConsumerConfig config) {
        Map<String, Object> overrides = passThrough(config, ProducerConfig.configNames());
        overrides.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        overrides.put(ProducerConfig.CLIENT_ID_CONFIG, clientId("presence-dlq"));
        // bounded, so an unreachable dead-letter topic turns into a retried batch, not a stuck loop
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
        overrides.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return PresencePublisher.producerSettings(overrides);
    }

    /**
     * A Kafka Streams application (the fold, the order stage): every {@code kafka.*} property passes through
     * (Streams hands each client its own), but exactly-once, the application id and the state directory are fixed
     * here.
     */
    public static Properties streams(PresenceConsumerConfig config, String applicationId, Path stateDir) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        // state, output and input offsets commit in one transaction: no lost device, no duplicate emission
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        // a record without a timestamp is logged, counted and skipped; it cannot stop the application
        props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, LogAndSkipOnInvalidTimestamp.class.getName());
        // there are no global stores; without this Streams warns at every start that their handler is off
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // not overridable: a handler that skips would drop a user's state or an output record and commit anyway
        props.remove(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG);
        props.remove(StreamsConfig.DEFAULT_PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailProcessingExceptionHandler.class.getName());
        // each application installs its own production exception handler: it skips only a record refused for good
        props.remove(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
        return props;
    }

    public static Map<String, Object> admin(PresenceConsumerConfig config) {
        Map<String, Object> props = passThrough(config, AdminClientConfig.configNames());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId("presence-admin"));
        return props;
    }

    /** Security and connection settings apply to every client; the others only to those that know them. */
    private static Map<String, Object> passThrough(PresenceConsumerConfig config, Set<String> known) {
        Map<String, Object> props = new HashMap<>();
        config.kafkaProperties().forEach((name, value) -> {
            if (known.contains(name)) {
                props.put(name, value);
            }
        });
        return props;
    }

    private static String clientId(String prefix) {
        return prefix + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // only used to make client ids readable
            return "unknown-host";
        }
    }
}
