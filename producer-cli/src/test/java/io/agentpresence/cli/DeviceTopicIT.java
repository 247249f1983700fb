package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code heartbeat}, {@code set --device} and {@code bulk} against a real broker: heartbeats and events with a
 * device land on the device topic keyed by userId, and nothing of theirs on the presence topic.
 */
@ExtendWith(PresenceInfrastructure.class)
class DeviceTopicIT {

    private static final String NL = System.lineSeparator();

    /** {@code command} against the test broker with both topics named, then {@code rest}. */
    /** The command with both topics; {@code heartbeat} has no {@code --topic}, since a heartbeat never goes there. */
    private static String[] args(KafkaEndpoint kafka, String users, String devices, String command, String... rest) {
        Stream<String> topics = "heartbeat".equals(command) ? Stream.of("--device-topic=" + devices)
                : Stream.of("--topic=" + users, "--device-topic=" + devices);
        return Stream.of(Stream.of(command, "--bootstrap-servers=" + kafka.bootstrapServers()), topics, Stream.of(rest))
                .flatMap(s -> s).toArray(String[]::new);
    }

    @Test
    void aHeartbeatWithADeviceLandsOnTheDeviceTopicKeyedByUserId(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-hb-users", 1);
        String devices = TestTopics.create(kafka, "cli-hb-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "heartbeat", "--ts=1764284615123", "--source=it-test",
                "--device=laptop", "agent-42"));

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sent heartbeat for agent-42 (device laptop) to " + devices
                + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, devices, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"ts\":1764284615123,\"source\":\"it-test\","
                        + "\"device\":\"laptop\"}", 0, 0));
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aUserLevelHeartbeatConfirmingAStatusLandsOnThePresenceTopic(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-hbs-users", 1);
        String devices = TestTopics.create(kafka, "cli-hbs-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, users, "heartbeat", "--ts=1764284615123", "--status=busy",
                "agent-42"));

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(TestTopics.readAll(kafka, users, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"status\":\"busy\",\"ts\":1764284615123,"
                        + "\"source\":\"presence-cli\"}", 0, 0));
        assertThat(TestTopics.count(kafka, devices)).isZero();
    }

    @Test
    void aHeartbeatWithoutADeviceIsTheImplicitDevicesStampedNowByTheCli(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-hb-implicit-users", 1);
        String devices = TestTopics.create(kafka, "cli-hb-implicit-devices", 1);
        long before = System.currentTimeMillis();

        CliRun run = CliRun.run(args(kafka, users, devices, "heartbeat", "agent-7"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent heartbeat for agent-7 to " + devices + " partition 0 offset 0" + NL);
        TestTopics.Written written = TestTopics.readAll(kafka, devices, 1).get(0);
        long ts = Long.parseLong(written.value().replaceAll(".*\"ts\":(\\d+).*", "$1"));
        assertThat(ts).isBetween(before, System.currentTimeMillis());
        assertThat(written.key()).isEqualTo("agent-7");
        assertThat(written.value()).isEqualTo("{\"userId\":\"agent-7\",\"kind\":\"heartbeat\",\"ts\":" + ts
                + ",\"source\":\"presence-cli\"}");
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aStatusWithADeviceLandsOnTheDeviceTopic(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-set-device-users", 1);
        String devices = TestTopics.create(kafka, "cli-set-device-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "set", "--ts=1764284615123", "--source=it-test",
                "--device=phone", "agent-42", "busy"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent agent-42=busy (device phone) to " + devices + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, devices, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"status\":\"busy\",\"ts\":1764284615123,\"source\":\"it-test\","
                        + "\"device\":\"phone\"}", 0, 0));
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aStatusWithoutADeviceStaysOnThePresenceTopic(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-set-nodevice-users", 1);
        String devices = TestTopics.create(kafka, "cli-set-nodevice-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "set", "--ts=1764284615123", "agent-42", "away"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent agent-42=away to " + users + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, users, 1)).extracting(TestTopics.Written::key).containsExactly("agent-42");
        assertThat(TestTopics.count(kafka, devices)).isZero();
    }

    @Test
    void bulkSendsHeartbeatsAndDeviceEventsToTheDeviceTopicAndTheRestToThePresenceTopic(KafkaEndpoint kafka)
            throws Exception {
        String users = TestTopics.create(kafka, "cli-bulk-route-users", 1);
        String devices = TestTopics.create(kafka, "cli-bulk-route-devices", 1);
        String online = "{\"userId\":\"agent-1\",\"status\":\"online\",\"ts\":1764284615001,\"source\":\"bulk-it\"}";
        String busyOnLaptop = "{\"userId\":\"agent-1\",\"status\":\"busy\",\"ts\":1764284615002,\"device\":\"laptop\"}";
        String phoneAlive = "{\"userId\":\"agent-2\",\"kind\":\"heartbeat\",\"ts\":1764284615003,\"device\":\"phone\"}";
        String implicitAlive = "{\"userId\":\"agent-2\",\"kind\":\"heartbeat\",\"ts\":1764284615004}";
        String away = "{\"userId\":\"agent-3\",\"status\":\"away\",\"ts\":1764284615005}";

        CliRun run = CliRun.withStdin(String.join("\n", online, busyOnLaptop, phoneAlive, implicitAlive, away),
                args(kafka, users, devices, "bulk", "-"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("published 5 events: 2 to " + users + ", 3 to " + devices + NL);
        assertThat(TestTopics.readAll(kafka, users, 2)).extracting(TestTopics.Written::value)
                .containsExactly(online, away);
        List<TestTopics.Written> onDevices = TestTopics.readAll(kafka, devices, 3);
        assertThat(onDevices).extracting(TestTopics.Written::key).containsExactly("agent-1", "agent-2", "agent-2");
        assertThat(onDevices).extracting(TestTopics.Written::value)
                .containsExactly(busyOnLaptop, phoneAlive, implicitAlive);
    }

    @Test
    void bulkOfDeviceEventsOnlyNamesTheDeviceTopicAlone(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-bulk-devonly-users", 1);
        String devices = TestTopics.create(kafka, "cli-bulk-devonly-devices", 1);
        String heartbeat = "{\"userId\":\"agent-5\",\"kind\":\"heartbeat\",\"ts\":1764284615001,\"device\":\"tv\"}";

        CliRun run = CliRun.withStdin(heartbeat, args(kafka, users, devices, "bulk", "-"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("published 1 events to " + devices + NL);
        assertThat(TestTopics.readAll(kafka, devices, 1)).extracting(TestTopics.Written::value).containsExactly(heartbeat);
        assertThat(TestTopics.count(kafka, users)).isZero();
    }
}
