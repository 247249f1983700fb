package io.agentpresence.consumer.config;

import io.agentpresence.consumer.ops.TopicProvisioner;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import io.agentpresence.model.PresenceTopics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The consumer's settings, immutable and validated as a whole at start-up. They come from a properties file
 * ({@code --config}) overridden by environment variables ({@code PRESENCE_<KEY>}); {@code kafka.*} keys
 * (env {@code PRESENCE_KAFKA_*}) pass straight through to the Kafka consumer. A package above this one (the fold)
 * declares its own keys and hands them in when loading; it reads and validates them through the typed lookups.
 */
public final class PresenceConsumerConfig {

    public static final ConfigKey BOOTSTRAP_SERVERS = ConfigKey.optional("bootstrap.servers", "",
            "Kafka bootstrap servers, host:port[,host:port]; required by every command that reads Kafka");
    public static final ConfigKey DB_URL = ConfigKey.required("db.url",
            "JDBC URL of the MySQL/MariaDB database, jdbc:mysql://host:3306/db");
    public static final ConfigKey DB_USER = ConfigKey.optional("db.user", "", "database user (empty: from the URL)");
    public static final ConfigKey DB_PASSWORD = ConfigKey.secret("db.password", "database password");
    public static final ConfigKey TOPIC = ConfigKey.optional("topic", PresenceTopics.DEFAULT_TOPIC,
            "topic of presence events, keyed by userId");
    public static final ConfigKey RAW_TOPIC = ConfigKey.optional("raw.topic", "",
            "topic publishers write to when the order stage runs (empty: none, publishers write to topic); the stage"
                    + " passes only newer states on to topic");
    public static final ConfigKey RAW_RETENTION = ConfigKey.optional("raw.retention", "168h",
            "retention.ms of raw.topic when it is created: how long a stopped order stage may lag behind");
    public static final ConfigKey GROUP_ID = ConfigKey.optional("group.id", "presence-consumer",
            "Kafka consumer group; instances in one group share the partitions");
    public static final ConfigKey DLQ_TOPIC = ConfigKey.optional("dlq.topic", PresenceTopics.DEFAULT_DLQ_TOPIC,
            "dead-letter topic for records that cannot be applied because of their content");
    public static final ConfigKey DLQ_MAX_VALUE_BYTES = ConfigKey.optional("dlq.max.value.bytes", "524288",
            "a dead letter's value is cut to this many bytes (headers give the original size and SHA-256)");
    public static final ConfigKey STATUSES = ConfigKey.optional("statuses", "online,away,busy,offline",
            "accepted status values, comma-separated");
    public static final ConfigKey MAX_FUTURE_SKEW = ConfigKey.optional("max.future.skew", "5m",
            "how far an event's ts may lie ahead of its record timestamp; a tombstone's, of the consumer's clock");
    public static final ConfigKey TOMBSTONE_RETENTION = ConfigKey.optional("tombstone.retention", "24h",
            "how long a deletion is remembered against older events arriving late; the topic's delete.retention.ms");
    public static final ConfigKey MAX_VALUE_BYTES = ConfigKey.optional("max.value.bytes",
            String.valueOf(PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES), "largest accepted record value in bytes");
    public static final ConfigKey MAX_POLL_RECORDS = ConfigKey.optional("max.poll.records", "5000",
            "records per poll, and so the largest batch written in one transaction");
    public static final ConfigKey POLL_TIMEOUT = ConfigKey.optional("poll.timeout", "500ms",
            "longest wait in one poll; bounds how fast shutdown is noticed");
    public static final ConfigKey DB_WRITERS = ConfigKey.optional("db.writers", "2",
            "parallel database transactions per batch, each for its own share of the partitions");
    public static final ConfigKey DB_POOL_SIZE = ConfigKey.optional("db.pool.size", "4",
            "database connections; at least db.writers + 2 (one per writer, one for the poll thread's position reads,"
                    + " one for the tombstone pruner)");
    public static final ConfigKey RETRY_BACKOFF_MAX = ConfigKey.optional("retry.backoff.max", "30s",
            "longest pause between attempts to write a batch while the database fails");
    public static final ConfigKey RECREATED_TOPIC_POLICY = ConfigKey.optional("recreated.topic.policy", "stop",
            "topic deleted and created again since positions were stored: stop (say how to reset) or reset (read it"
                    + " from its beginning)");
    public static final ConfigKey MIGRATE_ON_START = ConfigKey.optional("migrate.on.start", "true",
            "apply pending schema migrations when the service starts");
    public static final ConfigKey TOPICS_ON_START = ConfigKey.optional("topics.on.start", "true",
            "create the presence and dead-letter topics when missing, and check them, at start-up");
    public static final ConfigKey TOPIC_PARTITIONS = ConfigKey.optional("topic.partitions", "6",
            "partitions of the presence topic when it is created");
    public static final ConfigKey TOPIC_REPLICATION_FACTOR = ConfigKey.optional("topic.replication.factor", "-1",
            "replication factor of created topics; -1 takes the broker's default");
    public static final ConfigKey INSTANCES = ConfigKey.optional("instances", "1",
            "how many consumer instances will share the topic; a topic with fewer partitions gets a warning");
    public static final ConfigKey HTTP_PORT = ConfigKey.optional("http.port", "8080",
            "port of /metrics, /health/live and /health/ready; 0 picks a free port, -1 turns them off");
    public static final ConfigKey HTTP_BIND_ADDRESS = ConfigKey.optional("http.bind.address", "0.0.0.0",
            "address the HTTP endpoints listen on; 0.0.0.0 is every interface, 127.0.0.1 this host only");

    public static final List<ConfigKey> KEYS = List.of(BOOTSTRAP_SERVERS, DB_URL, DB_USER, DB_PASSWORD, TOPIC, GROUP_ID,
            DLQ_TOPIC, DLQ_MAX_VALUE_BYTES, STATUSES, MAX_FUTURE_SKEW, TOMBSTONE_RETENTION, MAX_VALUE_BYTES,
            MAX_POLL_RECORDS, POLL_TIMEOUT,
            DB_WRITERS, DB_POOL_SIZE,
            RETRY_BACKOFF_MAX, MIGRATE_ON_START, TOPICS_ON_START, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR, INSTANCES,
            HTTP_PORT, HTTP_BIND_ADDRESS, RECREATED_TOPIC_POLICY, RAW_TOPIC, RAW_RETENTION);

    static final String KAFKA_PREFIX = "kafka.";
    /** What Kafka accepts as a topic name. */
    public static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}");
    private static final Pattern BIND_ADDRESS = Pattern.compile("[\\w.:%-]{1,253}");

    /** {@link #KEYS} and the keys declared by the loader. */
    private final List<ConfigKey> keys;
    private final Map<String, String> values;
    private final Map<String, String> kafka;
    private final PresenceStatuses statuses;
    private final Duration maxFutureSkew;
    private final Duration tombstoneRetention;
    private final Duration rawRetention;
    private final int maxValueBytes;
    private final int dlqMaxValueBytes;
    private final int maxPollRecords;
    private final Duration pollTimeout;
    private final int dbWriters;
    private final int dbPoolSize;
    private final Duration retryBackoffMax;
    private final RecreatedTopicPolicy recreatedTopicPolicy;
    private final boolean migrateOnStart;
    private final boolean topicsOnStart;
    private final int topicPartitions;
    private final short topicReplicationFactor;
    private final int instances;
    private final int httpPort;

    private PresenceConsumerConfig(List<ConfigKey> keys, Map<String, String> values, Map<String, String> kafka) {
        this.keys = List.copyOf(keys);
        this.values = Map.copyOf(values);
        this.kafka = Map.copyOf(kafka);
        for (ConfigKey key : keys) {
            if (key.defaultValue() == null && get(key).isBlank()) {
                throw new ConfigException(key.display() + ": required but not set (" + key.doc() + ")");
            }
        }
        String servers = get(BOOTSTRAP_SERVERS);
        for (String server : servers.isEmpty() ? new String[0] : servers.split(",")) {
            if (!HOST_PORT.matcher(server.strip()).matches()) {
                throw ConfigException.invalid(BOOTSTRAP_SERVERS, servers, "expected host:port[,host:port]");
            }
        }
        String url = get(DB_URL);
        if (!url.startsWith("jdbc:mysql:")) {
            throw ConfigException.invalid(DB_URL, Secrets.mask(url), "expected a jdbc:mysql:// URL");
        }
        topicName(TOPIC);
        topicName(DLQ_TOPIC);
        if (get(TOPIC).equals(get(DLQ_TOPIC))) {
            throw ConfigException.invalid(DLQ_TOPIC, get(DLQ_TOPIC), "must differ from " + TOPIC.display());
        }
        if (!get(RAW_TOPIC).isEmpty()
                && (topicName(RAW_TOPIC).equals(get(TOPIC)) || get(RAW_TOPIC).equals(get(DLQ_TOPIC)))) {
            throw ConfigException.invalid(RAW_TOPIC, get(RAW_TOPIC), "must differ from " + TOPIC.display() + " and "
                    + DLQ_TOPIC.display());
        }
        this.rawRetention = duration(RAW_RETENTION, Duration.ofMinutes(1));
        if (get(GROUP_ID).isBlank()) {
            throw ConfigException.invalid(GROUP_ID, get(GROUP_ID), "must not be blank");
        }
        try {
            this.statuses = PresenceStatuses.parse(get(STATUSES));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(STATUSES, get(STATUSES), e.getMessage());
        }
        this.maxFutureSkew = duration(MAX_FUTURE_SKEW, Duration.ZERO);
        this.tombstoneRetention = duration(TOMBSTONE_RETENTION, Duration.ofMinutes(1));
        this.pollTimeout = duration(POLL_TIMEOUT, Duration.ofMillis(1));
        this.retryBackoffMax = duration(RETRY_BACKOFF_MAX, Duration.ofMillis(100));
        this.maxValueBytes = integer(MAX_VALUE_BYTES, 64, 100 * 1024 * 1024);
        this.dlqMaxValueBytes = integer(DLQ_MAX_VALUE_BYTES, 0, 100 * 1024 * 1024);
        this.maxPollRecords = integer(MAX_POLL_RECORDS, 1, 100_000);
        this.dbWriters = integer(DB_WRITERS, 1, 32);
        this.dbPoolSize = integer(DB_POOL_SIZE, 1, 64);
        // the poll thread reads stored positions on an assignment while every writer may hold a connection, and the
        // tombstone pruner takes one every minute: none of them should wait for another's
        if (dbPoolSize < dbWriters + 2) {
            throw ConfigException.invalid(DB_POOL_SIZE, get(DB_POOL_SIZE), "must be at least "
                    + DB_WRITERS.display() + " + 2 = " + (dbWriters + 2) + ": a connection for each writer, one"
                    + " for the poll thread and one for the tombstone pruner");
        }
        this.recreatedTopicPolicy = parseRecreatedTopicPolicy();
        this.migrateOnStart = bool(MIGRATE_ON_START);
        this.topicsOnStart = bool(TOPICS_ON_START);
        this.topicPartitions = integer(TOPIC_PARTITIONS, 1, 10_000);
        this.topicReplicationFactor = (short) integer(TOPIC_REPLICATION_FACTOR, -1, 32);
        if (topicReplicationFactor == 0) {
            throw ConfigException.invalid(TOPIC_REPLICATION_FACTOR, "0", "use -1 for the broker's default, or 1 and up");
        }
        this.instances = integer(INSTANCES, 1, 10_000);
        this.httpPort = integer(HTTP_PORT, -1, 65_535);
        if (!BIND_ADDRESS.matcher(get(HTTP_BIND_ADDRESS)).matches()) {
            throw ConfigException.invalid(HTTP_BIND_ADDRESS, get(HTTP_BIND_ADDRESS),
                    "expected an IP address or host name such as 0.0.0.0, 127.0.0.1 or ::");
        }
    }

    private RecreatedTopicPolicy parseRecreatedTopicPolicy() {
        try {
            return RecreatedTopicPolicy.parse(get(RECREATED_TOPIC_POLICY));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(RECREATED_TOPIC_POLICY, get(RECREATED_TOPIC_POLICY), "expected stop or reset");
        }
    }

    /** Settings named as in a properties file ({@code db.url}, {@code kafka.fetch.min.bytes}, ...). */
    public static PresenceConsumerConfig fromMap(Map<String, String> settings) {
        return fromMap(settings, List.of());
    }

    /**
     * As {@link #fromMap(Map)}, also accepting {@code extraKeys}: the keys of a package that reads this
     * configuration (the fold), which validates them itself. Any other name is refused.
     */
    public static PresenceConsumerConfig fromMap(Map<String, String> settings, List<ConfigKey> extraKeys) {
        List<ConfigKey> keys = allKeys(extraKeys);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> kafka = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String name = e.getKey().strip();
            if (name.startsWith(KAFKA_PREFIX) && name.length() > KAFKA_PREFIX.length()) {
                kafka.put(name.substring(KAFKA_PREFIX.length()), e.getValue().strip());
            } else if (keys.stream().anyMatch(k -> k.name().equals(name))) {
                values.put(name, e.getValue().strip());
            } else {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown setting(s) " + unknown + "; known: "
                    + keys.stream().map(ConfigKey::name).toList() + " and kafka.* pass-through");
        }
        return new PresenceConsumerConfig(keys, values, kafka);
    }

    private static List<ConfigKey> allKeys(List<ConfigKey> extraKeys) {
        List<ConfigKey> keys = new ArrayList<>(KEYS);
        for (ConfigKey extra : extraKeys) {
            if (keys.stream().anyMatch(k -> k.name().equals(extra.name()))) {
                throw new IllegalArgumentException("setting " + extra.name() + " is declared twice");
            }
            keys.add(extra);
        }
        return keys;
    }

    /**
     * Loads the optional file, then lets {@code PRESENCE_*} environment variables override it; {@code extraKeys}
     * as in {@link #fromMap(Map, List)}.
     */
    public static PresenceConsumerConfig load(Path file, Map<String, String> env, List<ConfigKey> extraKeys) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (file != null) {
            settings.putAll(readProperties(file));
        }
        settings.putAll(fromEnvironment(env, allKeys(extraKeys)));
        return fromMap(settings, extraKeys);
    }

    static Map<String, String> fromEnvironment(Map<String, String> env, List<ConfigKey> keys) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (ConfigKey key : keys) {
            String value = env.get(key.envName());
            if (value != null) {
                settings.put(key.name(), value);
            }
        }
        String kafkaEnvPrefix = "PRESENCE_KAFKA_";
        env.forEach((name, value) -> {
            if (name.startsWith(kafkaEnvPrefix) && name.length() > kafkaEnvPrefix.length()) {
                String property = name.substring(kafkaEnvPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                settings.put(KAFKA_PREFIX + property, value);
            }
        });
        return settings;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot read: " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(name -> settings.put(name, p.getProperty(name)));
        return settings;
    }

    /** The value of a declared key as set, or its default. */
    public String get(ConfigKey key) {
        if (!keys.contains(key)) {
            throw new IllegalArgumentException("setting " + key.name() + " was not declared to this configuration");
        }
        String value = values.get(key.name());
        return value != null ? value : (key.defaultValue() == null ? "" : key.defaultValue());
    }

    /** The value of a declared key as a topic name, checked. */
    public String topicName(ConfigKey key) {
        if (!TOPIC_NAME.matcher(get(key)).matches()) {
            throw ConfigException.invalid(key, get(key), "a topic name is 1-249 of [a-zA-Z0-9._-]");
        }
        return get(key);
    }

    /** The value of a declared key as a duration of at least {@code min}. */
    public Duration duration(ConfigKey key, Duration min) {
        Duration d;
        try {
            d = Durations.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(key, get(key), "expected a duration such as 500ms, 30s or 5m");
        }
        if (d.compareTo(min) < 0) {
            throw ConfigException.invalid(key, get(key), "must be at least " + Durations.format(min));
        }
        return d;
    }

    /** The value of a declared key as a whole number from {@code min} to {@code max}. */
    public int integer(ConfigKey key, int min, int max) {
        try {
            int n = Integer.parseInt(get(key));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw ConfigException.invalid(key, get(key), "expected a whole number from " + min + " to " + max);
    }

    /** The value of a declared key as a non-blank path. */
    public Path path(ConfigKey key) {
        try {
            if (!get(key).isBlank()) {
                return Path.of(get(key));
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw ConfigException.invalid(key, get(key), "expected a directory path");
    }

    /** The value of a declared key as {@code true} or {@code false}. */
    public boolean bool(ConfigKey key) {
        return switch (get(key).toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigException.invalid(key, get(key), "expected true or false");
        };
    }

    /** @throws ConfigException when unset: only the commands that read Kafka ask for it */
    public String bootstrapServers() {
        if (get(BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigException(BOOTSTRAP_SERVERS.display() + ": required but not set (" + BOOTSTRAP_SERVERS.doc() + ")");
        }
        return get(BOOTSTRAP_SERVERS);
    }

    public String dbUrl() {
        return get(DB_URL);
    }

    public String dbUser() {
        return get(DB_USER);
    }

    public String dbPassword() {
        return get(DB_PASSWORD);
    }

    public String topic() {
        return get(TOPIC);
    }

    /** The topic publishers write to when the order stage runs, or empty when they write to {@link #topic()}. */
    public Optional<String> rawTopic() {
        return get(RAW_TOPIC).isEmpty() ? Optional.empty() : Optional.of(get(RAW_TOPIC));
    }

    public Duration rawRetention() {
        return rawRetention;
    }

    public String groupId() {
        return get(GROUP_ID);
    }

    public String dlqTopic() {
        return get(DLQ_TOPIC);
    }

    public int dlqMaxValueBytes() {
        return dlqMaxValueBytes;
    }

    public PresenceStatuses statuses() {
        return statuses;
    }

    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    /** Deletion ledger entries older than this (by deletion time) are pruned. */
    public Duration tombstoneRetention() {
        return tombstoneRetention;
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public int maxPollRecords() {
        return maxPollRecords;
    }

    public Duration pollTimeout() {
        return pollTimeout;
    }

    public int dbWriters() {
        return dbWriters;
    }

    public int dbPoolSize() {
        return dbPoolSize;
    }

    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    public RecreatedTopicPolicy recreatedTopicPolicy() {
        return recreatedTopicPolicy;
    }

    public boolean migrateOnStart() {
        return migrateOnStart;
    }

    public boolean topicsOnStart() {
        return topicsOnStart;
    }

    public int topicPartitions() {
        return topicPartitions;
    }

    public short topicReplicationFactor() {
        return topicReplicationFactor;
    }

    public int instances() {
        return instances;
    }

    /** -1 when the HTTP endpoints are off. */
    public int httpPort() {
        return httpPort;
    }

    /** The address of the HTTP endpoints, as configured: an IP address or a host name. */
    public String httpBindAddress() {
        return get(HTTP_BIND_ADDRESS);
    }

    /** What {@code topics} (and start-up) create and check. */
    public TopicProvisioner.Plan topicPlan() {
        TopicProvisioner.Plan plan = new TopicProvisioner.Plan(topic(), dlqTopic(), topicPartitions,
                topicReplicationFactor, instances, tombstoneRetention());
        return rawTopic().map(raw -> plan.withRawTopic(raw, rawRetention)).orElse(plan);
    }

    /** Kafka client properties passed through from {@code kafka.*}, without the prefix. */
    public Map<String, String> kafkaProperties() {
        return kafka;
    }

    public PresenceEventCodec codec() {
        return new PresenceEventCodec(statuses, maxFutureSkew, maxValueBytes);
    }

    /** The effective settings, one per line, secrets masked: logged once at start-up. */
    public String describe() {
        return describe(keys);
    }

    /**
     * As {@link #describe()}, only the keys among {@code read} (and the {@code kafka.*} pass-through): what one
     * component reads, when several share this configuration (the consumer and the fold in the local stack).
     */
    public String describe(Collection<ConfigKey> read) {
        StringBuilder b = new StringBuilder();
        for (ConfigKey key : keys) {
            if (!read.contains(key)) {
                continue;
            }
            String value = get(key);
            b.append("  ").append(key.name()).append(" = ").append(masked(key, value)).append('\n');
        }
        kafka.forEach((name, value) -> b.append("  ").append(KAFKA_PREFIX).append(name).append(" = ")
                .append(Secrets.isSecretKafkaProperty(name) ? Secrets.MASK : value).append('\n'));
        return b.toString();
    }

    private static String masked(ConfigKey key, String value) {
        if (key.secret()) {
            return value.isEmpty() ? "" : Secrets.MASK;
        }
        // a JDBC URL may carry user:secret@host, password=... and the like
        return key == DB_URL ? Secrets.mask(value) : value;
    }
}
