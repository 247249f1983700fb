package io.agentpresence.cli;

import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options every subcommand shares: where the broker is, which topic, how long to wait, which statuses are
 * valid, and raw producer settings. Defaults come from {@code PRESENCE_*} environment variables.
 */
public final class KafkaOptions {

    /** Matches {@link io.agentpresence.model.PresencePublisher}'s default, so derived timeouts stay consistent. */
    static final int DEFAULT_LINGER_MS = 5;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:PRESENCE_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka brokers to contact (env PRESENCE_BOOTSTRAP_SERVERS). Default: ${DEFAULT-VALUE}")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "${env:PRESENCE_TOPIC:-agent-presence}",
            description = "Topic of presence events (env PRESENCE_TOPIC). Default: ${DEFAULT-VALUE}")
    String topic;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long to wait for the broker, e.g. 500ms, 10s, 2m. Default: ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--statuses", paramLabel = "S1,S2,...", converter = StatusesConverter.class,
            defaultValue = "${env:PRESENCE_STATUSES:-online,away,busy,offline}",
            description = "Allowed status values (env PRESENCE_STATUSES). Default: ${DEFAULT-VALUE}")
    PresenceStatuses statuses;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "Kafka producer property, repeatable (e.g. -X security.protocol=SASL_SSL).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Option(names = "--verbose", description = "Show stack traces of failures.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    public String topic() {
        return topic;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The codec of {@code --statuses}; a subcommand without that option (delete) gets the default statuses. */
    public PresenceEventCodec codec() {
        return new PresenceEventCodec(statuses != null ? statuses : PresenceStatuses.DEFAULT, PresenceEventCodec.DEFAULT_MAX_FUTURE_SKEW,
                PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * Producer settings bounded by {@code --timeout}: blocking for metadata, each request, and a whole delivery.
     * A {@code -X} setting wins over a derived one; derived values are computed from the effective ones, because
     * Kafka rejects a {@code delivery.timeout.ms} below {@code linger.ms + request.timeout.ms}.
     */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "presence-cli");
        config.putAll(producerProperties);
        long timeoutMs = timeout.toMillis();
        long lingerMs = longSetting(config, ProducerConfig.LINGER_MS_CONFIG, DEFAULT_LINGER_MS);
        long requestMs = longSetting(config, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestMs);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, lingerMs + requestMs));
        return config;
    }

    /** The longest one send can take under {@link #producerConfig()}: blocked for metadata, then delivered. */
    public Duration sendBound() {
        Map<String, Object> config = producerConfig();
        return Duration.ofMillis(longSetting(config, ProducerConfig.MAX_BLOCK_MS_CONFIG, 0)
                + longSetting(config, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 0));
    }

    private static long longSetting(Map<String, Object> config, String key, long fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            // leave the bad value in place: the producer rejects it with a message naming the key
            return fallback;
        }
    }

    /** Parses {@code --statuses}, turning a bad list into a usage error that names the bad value. */
    static final class StatusesConverter implements ITypeConverter<PresenceStatuses> {
        @Override
        public PresenceStatuses convert(String value) {
            try {
                return PresenceStatuses.parse(value);
            } catch (IllegalArgumentException e) {
                // a usage error, so picocli reports it with exit code 2 and the usage help
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
