package io.agentpresence.consumer.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the presence topic (compacted: the newest event per user is the state) and the dead-letter topic
 * (deleted after a long retention) when they are missing, and checks existing ones, returning a warning for
 * each setting that will hurt: not compacted, or fewer partitions than instances. For {@code fold} it also
 * creates the device topic, which must not be compacted: a user's devices share its key. With a raw topic (the
 * order stage's input) it creates that one too, with time-based retention and the presence topic's partitions.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    /** Events stay uncompacted for an hour, so a consumer that is briefly behind still sees every change. */
    static final long MIN_COMPACTION_LAG_MS = 3_600_000L;
    static final long DEAD_LETTER_RETENTION_MS = 30L * 86_400_000L;
    private static final long TIMEOUT_SECONDS = 30;

    /**
     * What to create: partitions, and replication factor (-1 = the broker's default); how long the presence topic
     * keeps tombstones, as long as the consumer remembers deletions (tombstone.retention, a day by default), so a
     * consumer down for hours still sees them; {@code deviceTopic} is null unless devices are folded,
     * {@code rawTopic} null unless the order stage runs.
     */
    public record Plan(String topic, String dlqTopic, int partitions, short replicationFactor, int instances,
                       Duration deleteRetention, String deviceTopic, String rawTopic, Duration rawRetention) {

        public Plan(String topic, String dlqTopic, int partitions, short replicationFactor, int instances,
                    Duration deleteRetention) {
            this(topic, dlqTopic, partitions, replicationFactor, instances, deleteRetention, null, null, null);
        }

        /** This plan, plus the device topic {@code fold} reads. */
        public Plan withDeviceTopic(String name) {
            return new Plan(topic, dlqTopic, partitions, replicationFactor, instances, deleteRetention, name, rawTopic,
                    rawRetention);
        }

        /** This plan, plus the raw topic the order stage reads, kept for {@code retention}. */
        public Plan withRawTopic(String name, Duration retention) {
            return new Plan(topic, dlqTopic, partitions, replicationFactor, instances, deleteRetention, deviceTopic,
                    name, retention);
        }
    }

    /** What was done: topics created, and warnings about existing topics. */
    public record Result(List<String> created, List<String> warnings) {
    }

    private final Admin admin;

    /** Ensures the plan's topics with a short-lived admin client, logging what it created and every warning. */
    public static void ensureAndLog(Map<String, Object> adminSettings, Plan plan) throws Exception {
        try (Admin admin = Admin.create(adminSettings)) {
            Result result = new TopicProvisioner(admin).ensure(plan);
            result.created().forEach(topic -> LOG.info("Created topic {}", topic));
            result.warnings().forEach(warning -> LOG.warn("Topic check: {}", warning));
        }
    }

    public TopicProvisioner(Admin admin) {
        this.admin = admin;
    }

    public Result ensure(Plan plan) throws InterruptedException, ExecutionException, TimeoutException {
        List<String> created = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!existing.contains(plan.topic())) {
            create(new NewTopic(plan.topic(), Optional.of(plan.partitions()), replication(plan))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, String.valueOf(MIN_COMPACTION_LAG_MS),
                            TopicConfig.DELETE_RETENTION_MS_CONFIG, String.valueOf(plan.deleteRetention().toMillis()))),
                    created);
        } else {
            warnings.addAll(check(plan));
        }
        if (!existing.contains(plan.dlqTopic())) {
            create(new NewTopic(plan.dlqTopic(), Optional.of(1), replication(plan))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(DEAD_LETTER_RETENTION_MS))), created);
        } else if (cleanupPolicy(plan.dlqTopic()).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            warnings.add("dead-letter topic " + plan.dlqTopic() + " is compacted: dead letters with the same key"
                    + " replace each other; use cleanup.policy=delete with a long retention.ms");
        }
        if (plan.deviceTopic() != null) {
            ensureDeviceTopic(plan, existing, created, warnings);
        }
        if (plan.rawTopic() != null) {
            ensureRawTopic(plan, existing, created, warnings);
        }
        return new Result(created, warnings);
    }

    /**
     * Raw events are a history the order stage reduces to newer states: compaction would keep the last record per
     * key by offset, which need not be the newest. The partitions are the presence topic's, so a user's records stay
     * in the same partition number on both.
     */
    private void ensureRawTopic(Plan plan, Set<String> existing, List<String> created, List<String> warnings)
            throws InterruptedException, ExecutionException, TimeoutException {
        // a presence topic created a moment ago has the plan's partitions, and may not be described yet
        int partitions = existing.contains(plan.topic()) ? partitions(plan.topic()) : plan.partitions();
        if (!existing.contains(plan.rawTopic())) {
            create(new NewTopic(plan.rawTopic(), Optional.of(partitions), replication(plan))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(plan.rawRetention().toMillis()))),
                    created);
            return;
        }
        if (cleanupPolicy(plan.rawTopic()).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            warnings.add("raw topic " + plan.rawTopic() + " is compacted: compaction keeps a user's last record by"
                    + " offset, not the newest, and the order stage would pass on what is left; use"
                    + " cleanup.policy=delete");
        }
        int rawPartitions = partitions(plan.rawTopic());
        if (rawPartitions != partitions) {
            warnings.add("raw topic " + plan.rawTopic() + " has " + rawPartitions + " partition(s), topic "
                    + plan.topic() + " has " + partitions + ": give them the same number");
        }
    }

    private int partitions(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    /** Device events are a stream, not a state: the fold keeps the state, so the topic keeps time-based retention. */
    private void ensureDeviceTopic(Plan plan, Set<String> existing, List<String> created, List<String> warnings)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (!existing.contains(plan.deviceTopic())) {
            create(new NewTopic(plan.deviceTopic(), Optional.of(plan.partitions()), replication(plan))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)), created);
        } else if (cleanupPolicy(plan.deviceTopic()).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            warnings.add("device topic " + plan.deviceTopic() + " is compacted: the devices of one user share its key,"
                    + " so compaction keeps one device's last event and a reprocessing fold misses the others;"
                    + " use cleanup.policy=delete");
        }
    }

    private static Optional<Short> replication(Plan plan) {
        return plan.replicationFactor() > 0 ? Optional.of(plan.replicationFactor()) : Optional.empty();
    }

    private void create(NewTopic topic, List<String> created) throws InterruptedException, ExecutionException,
            TimeoutException {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            created.add(topic.name());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // another instance created it a moment ago: exactly what was wanted
        }
    }

    private List<String> check(Plan plan) throws InterruptedException, ExecutionException,
            TimeoutException {
        List<String> warnings = new ArrayList<>();
        TopicDescription description = admin.describeTopics(List.of(plan.topic())).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(plan.topic());
        int partitions = description.partitions().size();
        if (partitions < plan.instances()) {
            warnings.add("topic " + plan.topic() + " has " + partitions + " partition(s) for " + plan.instances()
                    + " instances: " + (plan.instances() - partitions) + " instance(s) will sit idle; add partitions"
                    + " (kafka-topics --alter --partitions N) before adding instances");
        }
        Config config = topicConfig(plan.topic());
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            warnings.add("topic " + plan.topic() + " has cleanup.policy=" + policy + ", not compact: a replay or rebuild"
                    + " reads the whole history instead of the newest event per user, and events older than"
                    + " retention.ms are lost to it (kafka-configs --alter --add-config cleanup.policy=compact)");
        }
        long deleteRetention = Long.parseLong(config.get(TopicConfig.DELETE_RETENTION_MS_CONFIG).value());
        if (deleteRetention != plan.deleteRetention().toMillis()) {
            warnings.add("topic " + plan.topic() + " keeps tombstones for delete.retention.ms=" + deleteRetention
                    + " ms, but tombstone.retention is " + plan.deleteRetention().toMillis() + " ms: a replay or"
                    + " rebuild sees the deletions the topic still holds, the consumer guards against the ones it"
                    + " remembers; make them equal (kafka-configs --alter --add-config delete.retention.ms="
                    + plan.deleteRetention().toMillis() + ")");
        }
        return warnings;
    }

    private String cleanupPolicy(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        return topicConfig(topic).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    }

    private Config topicConfig(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource);
    }
}
