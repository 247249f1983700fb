package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.Topics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code topics}: creates what is missing with the right settings, and warns about an existing topic that will hurt. */
@ExtendWith(PresenceInfrastructure.class)
class TopicsIT {

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final Duration METADATA = Duration.ofSeconds(10);

    private KafkaEndpoint kafka;
    private Admin admin;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka) {
        this.kafka = kafka;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterEach
    void tearDown() {
        admin.close();
    }

    /** The settings {@code topics} needs; the database URL is required by the config but never used here. */
    private Path configFile(String topic, int partitions, int instances) throws Exception {
        return configFile(topic, partitions, instances, null);
    }

    private Path configFile(String topic, int partitions, int instances, String tombstoneRetention) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("db.url", "jdbc:mysql://127.0.0.1:1/unused");
        settings.put("topic", topic);
        settings.put("dlq.topic", topic + ".dlq");
        settings.put("topic.partitions", String.valueOf(partitions));
        settings.put("instances", String.valueOf(instances));
        if (tombstoneRetention != null) {
            settings.put("tombstone.retention", tombstoneRetention);
        }
        return ConfigFile.write(dir, settings);
    }

    @Test
    void missingTopicsAreCreatedCompactedAndDeleteRetainedThenReportedInPlace() throws Exception {
        String topic = "presence-" + UUID.randomUUID().toString().substring(0, 8);
        String dlq = topic + ".dlq";
        Path config = configFile(topic, 4, 2);

        ConsumerCommand first = ConsumerCommand.run("topics", "--config", config.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out().lines()).containsExactly("created " + topic, "created " + dlq);
        assertThat(first.err()).isEmpty();
        assertThat(partitions(topic)).isEqualTo(4);
        Config presence = config(topic);
        assertThat(presence.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(presence.get("min.compaction.lag.ms").value()).isEqualTo(String.valueOf(HOUR_MS));
        assertThat(presence.get("delete.retention.ms").value()).isEqualTo(String.valueOf(DAY_MS));
        assertThat(partitions(dlq)).isEqualTo(1);
        Config deadLetters = config(dlq);
        assertThat(deadLetters.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(Long.parseLong(deadLetters.get("retention.ms").value())).isEqualTo(30 * DAY_MS);

        ConsumerCommand second = ConsumerCommand.run("topics", "--config", config.toString());

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out().strip()).isEqualTo("topics " + topic + " and " + dlq + " are in place");
        assertThat(second.err()).isEmpty();
    }

    @Test
    void thePresenceTopicKeepsTombstonesAsLongAsTheConsumerRemembersDeletionsAndADifferenceIsReported()
            throws Exception {
        String topic = "presence-" + UUID.randomUUID().toString().substring(0, 8);
        Path twoHours = configFile(topic, 2, 1, "2h");

        ConsumerCommand first = ConsumerCommand.run("topics", "--config", twoHours.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(config(topic).get("delete.retention.ms").value()).isEqualTo(String.valueOf(2 * HOUR_MS));

        ConsumerCommand other = ConsumerCommand.run("topics", "--config", configFile(topic, 2, 1, "3h").toString());

        assertThat(other.exitCode()).as(other.toString()).isEqualTo(3);
        assertThat(other.err()).contains("warning: topic " + topic + " keeps tombstones for delete.retention.ms="
                + 2 * HOUR_MS + " ms, but tombstone.retention is " + 3 * HOUR_MS + " ms");
        assertThat(config(topic).get("delete.retention.ms").value()).as("an existing topic is never changed")
                .isEqualTo(String.valueOf(2 * HOUR_MS));
    }

    @Test
    void anExistingTopicThatIsNotCompactedAndTooNarrowGetsBothWarningsAndExitCode3() throws Exception {
        String topic = Topics.create(kafka.bootstrapServers(), "legacy", 2);
        Path config = configFile(topic, 6, 4);

        ConsumerCommand run = ConsumerCommand.run("topics", "--config", config.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.errLines()).hasSize(2);
        assertThat(run.err())
                .contains("warning: topic " + topic + " has 2 partition(s) for 4 instances: 2 instance(s) will sit idle")
                .contains("warning: topic " + topic + " has cleanup.policy=delete, not compact");
        assertThat(run.out().lines()).containsExactly("created " + topic + ".dlq");
        assertThat(partitions(topic)).as("an existing topic is only checked, never changed").isEqualTo(2);
        assertThat(config(topic).get("cleanup.policy").value()).isEqualTo("delete");
    }

    @Test
    void withFoldTheDeviceTopicIsCreatedUncompactedAndACompactedOneGetsAWarning() throws Exception {
        String topic = "presence-" + UUID.randomUUID().toString().substring(0, 8);
        String devices = topic + ".devices";
        Path config = ConfigFile.write(dir, Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "db.url", "jdbc:mysql://127.0.0.1:1/unused", "topic", topic, "dlq.topic", topic + ".dlq",
                "device.topic", devices, "topic.partitions", "3"));

        ConsumerCommand first = ConsumerCommand.run("topics", "--fold", "--config", config.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out().lines()).containsExactly("created " + topic, "created " + topic + ".dlq", "created " + devices);
        assertThat(partitions(devices)).isEqualTo(3);
        assertThat(config(devices).get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(ConsumerCommand.run("topics", "--fold", "--config", config.toString()).out().strip())
                .isEqualTo("topics " + topic + ", " + devices + " and " + topic + ".dlq are in place");

        String compacted = Topics.create(kafka.bootstrapServers(), "compacted-devices", 1);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, compacted), List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all().get();
        Path compactedConfig = ConfigFile.write(dir, Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "db.url", "jdbc:mysql://127.0.0.1:1/unused", "topic", topic, "dlq.topic", topic + ".dlq",
                "device.topic", compacted));
        ConsumerCommand warned = ConsumerCommand.run("topics", "--fold", "--config", compactedConfig.toString());

        assertThat(warned.exitCode()).as(warned.toString()).isEqualTo(3);
        assertThat(warned.err()).contains("warning: device topic " + compacted + " is compacted");
    }

    @Test
    void withARawTopicItIsCreatedWithTimeRetentionAndThePresenceTopicsPartitionsAndACompactedOneGetsAWarning()
            throws Exception {
        String topic = Topics.create(kafka.bootstrapServers(), "presence", 5);
        String raw = topic + ".raw";
        Path config = ConfigFile.write(dir, Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "db.url", "jdbc:mysql://127.0.0.1:1/unused", "topic", topic, "dlq.topic", topic + ".dlq",
                "raw.topic", raw, "raw.retention", "48h", "topic.partitions", "3"));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all().get();

        ConsumerCommand first = ConsumerCommand.run("topics", "--config", config.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out().lines()).containsExactly("created " + topic + ".dlq", "created " + raw);
        // the presence topic's 5, not topic.partitions: a user's records keep their partition number
        assertThat(partitions(raw)).isEqualTo(5);
        assertThat(config(raw).get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(config(raw).get("retention.ms").value()).isEqualTo(String.valueOf(48 * HOUR_MS));
        assertThat(ConsumerCommand.run("topics", "--config", config.toString()).out().strip())
                .isEqualTo("topics " + topic + ", " + raw + " and " + topic + ".dlq are in place");

        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, raw), List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all().get();
        ConsumerCommand warned = ConsumerCommand.run("topics", "--config", config.toString());

        assertThat(warned.exitCode()).as(warned.toString()).isEqualTo(3);
        assertThat(warned.err()).contains("warning: raw topic " + raw + " is compacted");
    }

    /*
     * A topic the command just created may not have reached the metadata of the broker asked next ("This server
     * does not host this topic-partition"): the reads below wait for it, as any client must.
     */

    private int partitions(String topic) {
        return await().atMost(METADATA).ignoreExceptionsInstanceOf(ExecutionException.class)
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size(),
                        n -> true);
    }

    private Config config(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return await().atMost(METADATA).ignoreExceptionsInstanceOf(ExecutionException.class)
                .until(() -> admin.describeConfigs(List.of(resource)).all().get().get(resource), c -> true);
    }
}
