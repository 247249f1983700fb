package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.recovery.Verify;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify}: a table the consumer built agrees with its topic; tampered rows, records not applied yet and
 * ranges are reported as they are. The histories here have distinct event times per user and no heartbeats that
 * carry a status, so any writer that keeps the newest event builds the table the rule gives.
 */
@ExtendWith(PresenceInfrastructure.class)
class VerifyIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");
    private static final int USERS = 40;
    private static final int ROUNDS = 4;
    /** Users 3, 10, 17, 24, 31 and 38 are deleted. */
    private static final int DELETED = 6;
    private static final int REJECTED = 4;

    private ConsumerFixture fixture;
    private TestDatabase db;
    private KafkaProducer<byte[], byte[]> producer;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.producer = fixture.rawProducer();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private RecordMetadata send(String topic, String key, byte[] value, Long timestamp) throws Exception {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return producer.send(new ProducerRecord<>(topic, null, timestamp, k, value)).get();
    }

    private RecordMetadata send(String topic, PresenceEvent event, Long timestamp) throws Exception {
        return send(topic, event.userId(), codec.encode(event), timestamp);
    }

    /**
     * Status events for every user (a distinct ts each), bare heartbeats after them, deletions, an event older
     * than its user's deletion, and {@value #REJECTED} records the consumer dead-letters.
     *
     * @return the records sent
     */
    private long publishHistory(String topic) throws Exception {
        long sent = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int u = 0; u < USERS; u++) {
                send(topic, new PresenceEvent("user-" + u, STATUSES.get((u + round) % STATUSES.size()),
                        1_000 + round * 100 + u, "src-" + round), null);
                sent++;
            }
        }
        for (int u = 0; u < USERS; u += 5) {
            send(topic, PresenceEvent.heartbeat("user-" + u, 5_000 + u, null, "phone"), null);
            sent++;
        }
        for (int u = 3; u < USERS; u += 7) {
            // a deletion takes its record's time, far newer than every event above
            send(topic, "user-" + u, null, null);
            send(topic, new PresenceEvent("user-" + u, "online", 9_000, "late"), null);
            sent += 2;
        }
        long now = System.currentTimeMillis();
        send(topic, "user-1", "hello".getBytes(StandardCharsets.UTF_8), null);
        send(topic, "user-1", ("{\"userId\":\"user-1\",\"status\":\"online\",\"ts\":" + (now + 3_600_000) + "}")
                .getBytes(StandardCharsets.UTF_8), now);
        send(topic, "user-2", ("{\"userId\":\"user-2\",\"status\":\"online\",\"pad\":\"" + "p".repeat(70_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8), null);
        send(topic, "user-4", null, now + Duration.ofMinutes(30).toMillis());
        return sent + REJECTED;
    }

    /** Publishes the history and lets the consumer apply all of it; returns the config file verify reads. */
    private Path appliedHistory(String topic, String group) throws Exception {
        Map<String, String> settings = fixture.settings(topic, group);
        ConsumerService live = fixture.start(settings);
        long records = publishHistory(topic);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == records);
        live.close();
        return ConfigFile.write(dir, settings);
    }

    private static ConsumerCommand verify(Path config, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "verify";
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        ConsumerCommand run = ConsumerCommand.run(args);
        System.out.print(run.err());
        System.out.print(run.out());
        return run;
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.get(lines.size() - 1);
    }

    private void execute(String... statements) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Test
    void aTableTheConsumerBuiltAgreesAndTheRejectedRecordsAreCounted() throws Exception {
        String topic = fixture.topic("verify-clean", 3);
        Path config = appliedHistory(topic, topic + "-live");
        long records = StoredPositions.total(db, topic + "-live", topic);

        ConsumerCommand run = verify(config);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().lines().toList()).as(run.toString()).containsExactly(String.format(
                "verify: read %d records of the whole topic, %d rejected (the consumer dead-letters them); %d users,"
                        + " %d rows compared; no mismatches: the table agrees with the topic.",
                records, REJECTED, USERS, USERS - DELETED));
        assertThat(run.errLines().get(0)).isEqualTo("verify: " + topic + " all 3 partitions from the log start, "
                + records + " records to the end offsets seen now");
        assertThat(lastLine(run.err())).matches("verify: done, " + records + " events in .* s \\(.*\\); 4 rejected");
    }

    @Test
    void changedDeletedAndExtraRowsAreNamedAndExitWithOne() throws Exception {
        String topic = fixture.topic("verify-tampered", 2);
        Path config = appliedHistory(topic, topic + "-live");
        execute("UPDATE agent_presences SET status = IF(status = 'online', 'away', 'online') WHERE user_id = 'user-1'",
                "DELETE FROM agent_presences WHERE user_id = 'user-2'",
                "INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at)"
                        + " VALUES ('ghost', 'online', 7, 7, 'nobody', CURRENT_TIMESTAMP(3))",
                "UPDATE agent_presences SET last_seen = last_seen + 1 WHERE user_id = 'user-6'");

        ConsumerCommand run = verify(config);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("ghost: unexpected row; expected no row;"
                + " found status=online event_ts=7 source=nobody last_seen=7");
        assertThat(lines.get(1)).startsWith("user-1: status; expected status=")
                .matches(".*expected status=(\\w+) event_ts=(\\d+) source=src-3 last_seen=\\d+; found status=(?!\\1)\\w+"
                        + " event_ts=\\2 source=src-3 last_seen=\\d+");
        assertThat(lines.get(2)).matches("user-2: missing row; expected status=\\w+ event_ts=\\d+ source=src-3"
                + " last_seen=\\d+; found no row");
        assertThat(lines.get(3)).startsWith("user-6: last_seen; expected ");
        assertThat(lines.get(4)).contains("; mismatches: 4 (missing row 1, unexpected row 1, status 1, last_seen 1):"
                + " the table does NOT agree with the topic.").doesNotContain("not applied");

        ConsumerCommand limited = verify(config, "--limit", "1", "--ignore-last-seen");

        assertThat(limited.exitCode()).as(limited.toString()).isEqualTo(1);
        assertThat(limited.out().lines().toList()).hasSize(3);
        assertThat(limited.out().lines().toList().get(0)).startsWith("ghost: unexpected row;");
        assertThat(limited.out().lines().toList().get(1)).isEqualTo("... and 2 more (--limit)");
        assertThat(lastLine(limited.out())).contains(" rows compared (last_seen left out);")
                .contains("; mismatches: 3 (missing row 1, unexpected row 1, status 1):");
    }

    @Test
    void recordsTheConsumerHasNotAppliedYetAreSaidToBeSo() throws Exception {
        String topic = fixture.topic("verify-behind", 2);
        Path config = appliedHistory(topic, topic + "-live");
        for (int i = 0; i < 5; i++) {
            send(topic, new PresenceEvent("newcomer-" + i, "online", 2_000, "new"), null);
        }

        ConsumerCommand run = verify(config);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("newcomer-0: missing row; expected status=online event_ts=2000 source=new");
        assertThat(lastLine(run.out())).contains("mismatches: 5 (missing row 5)")
                .endsWith(" The consumer has not applied 5 records yet; run again once it has caught up.");
    }

    @Test
    void recordsTheServiceAppliesWhileVerifyReadsAreReadTooSoTheRowsAgree() throws Exception {
        String topic = fixture.topic("verify-live", 2);
        String group = topic + "-live";
        Map<String, String> settings = fixture.settings(topic, group);
        fixture.start(settings);
        long records = publishHistory(topic);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == records);
        StringWriter report = new StringWriter();
        Verify.Result result;
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            // after verify has read to the end offsets it saw, and before it reads the table, the service applies more
            DataSource late = afterFirstConnection(ds, () -> {
                for (int i = 0; i < 5; i++) {
                    send(topic, new PresenceEvent("newcomer-" + i, "online", 2_000, "new"), null);
                }
                await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == records + 5);
            });
            result = new Verify(PresenceConsumerConfig.fromMap(settings), late, new FailureClassifier(),
                    new PrintWriter(report), new PrintWriter(new StringWriter())).run(Verify.Range.ALL, true, 100);
        }

        assertThat(result.agrees()).as(report.toString()).isTrue();
        assertThat(result.records()).isEqualTo(records + 5);
        assertThat(result.notApplied()).isZero();
        assertThat(report.toString()).contains("45 users, 39 rows compared; no mismatches");
    }

    private interface Step {
        void run() throws Exception;
    }

    /** {@code ds}, which runs {@code step} once before it hands out its first connection. */
    private static DataSource afterFirstConnection(DataSource ds, Step step) {
        AtomicBoolean done = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && done.compareAndSet(false, true)) {
                        step.run();
                    }
                    try {
                        return method.invoke(ds, args);
                    } catch (InvocationTargetException e) {
                        // the data source's own failure, not the reflection's
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aRangeComparesOnlyTheUsersItNamesAndAsMuchAsItsRecordsProve() throws Exception {
        String topic = fixture.topic("verify-range", 2);
        String group = topic + "-live";
        Map<String, String> settings = fixture.settings(topic, group);
        ConsumerService live = fixture.start(settings);
        long second = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        long first = second - 60_000;
        Set<String> inPartition0 = new TreeSet<>();
        for (int u = 0; u < 20; u++) {
            RecordMetadata sent = send(topic, new PresenceEvent("user-" + u, "online", 100 + u, "before"), first);
            if (sent.partition() == 0) {
                inPartition0.add("user-" + u);
            }
        }
        for (int u = 0; u < 10; u++) {
            send(topic, new PresenceEvent("user-" + u, "busy", 1_000 + u, "after"), second);
        }
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == 30);
        live.close();
        Path config = ConfigFile.write(dir, settings);
        // user-3 as if its event of the range had never been applied; user-15, which the range does not name, lost
        execute("UPDATE agent_presences SET status = 'online', event_ts = 103, last_seen = 103, source = 'before'"
                        + " WHERE user_id = 'user-3'",
                "DELETE FROM agent_presences WHERE user_id = 'user-15'");

        ConsumerCommand since = verify(config, "--since", Instant.ofEpochMilli(second).toString());

        assertThat(since.exitCode()).as(since.toString()).isEqualTo(1);
        assertThat(since.out().lines().toList()).hasSize(2);
        assertThat(since.out().lines().toList().get(0)).isEqualTo("user-3: status, event_ts, source, last_seen;"
                + " expected at least status=busy event_ts=1003 source=after last_seen=1003;"
                + " found status=online event_ts=103 source=before last_seen=103");
        assertThat(lastLine(since.out())).startsWith("verify: read 10 records of the range, 0 rejected (the consumer"
                + " dead-letters them); 10 users, 10 rows compared; a range: only the users it mentions were compared, and"
                + " only for what their records in the range demand");
        assertThat(since.err()).contains(" all 2 partitions from " + Instant.ofEpochMilli(second) + ", 10 records");

        ConsumerCommand sinceAfterTheTamperedUser = verify(config, "--since", String.valueOf(second + 1));

        assertThat(sinceAfterTheTamperedUser.exitCode()).as(sinceAfterTheTamperedUser.toString()).isZero();
        assertThat(lastLine(sinceAfterTheTamperedUser.out())).contains("read 0 records of the range")
                .contains("; no mismatches: the table agrees with the topic.");

        ConsumerCommand partition = verify(config, "--partition", "0");

        Set<String> expectedUsers = new TreeSet<>(inPartition0);
        expectedUsers.retainAll(Set.of("user-3", "user-15"));
        assertThat(partition.exitCode()).as(partition.toString()).isEqualTo(expectedUsers.isEmpty() ? 0 : 1);
        assertThat(partition.out().lines().filter(l -> !l.startsWith("verify: "))
                .map(l -> l.substring(0, l.indexOf(':'))).toList()).containsExactlyElementsOf(expectedUsers);
        assertThat(lastLine(partition.out())).contains("; " + inPartition0.size() + " users, ")
                .contains("a range: only the users it mentions were compared, each with all of its records");
    }

    @Test
    void whatCannotBeCheckedExitsWithTwoAndSaysWhy() throws Exception {
        String topic = fixture.topic("verify-trouble", 2);
        Map<String, String> settings = fixture.settings(topic, topic + "-live");
        Path config = ConfigFile.write(dir, settings);

        ConsumerCommand badSince = verify(config, "--since", "yesterday");
        ConsumerCommand badPartition = verify(config, "--partition", "0,7");
        settings.put("db.url", "jdbc:mysql://127.0.0.1:1/nowhere");
        ConsumerCommand noDatabase = verify(ConfigFile.write(dir, settings));

        assertThat(badSince.exitCode()).as(badSince.toString()).isEqualTo(2);
        assertThat(badSince.err()).contains("expected an ISO-8601 instant such as 2026-11-28T09:00:00Z or epoch"
                + " milliseconds, not 'yesterday'");
        assertThat(badPartition.exitCode()).as(badPartition.toString()).isEqualTo(2);
        assertThat(badPartition.err()).contains("--partition: topic " + topic + " has partitions 0 to 1, not [7]");
        assertThat(noDatabase.exitCode()).as(noDatabase.toString()).isEqualTo(2);
        assertThat(noDatabase.err()).startsWith("error: ");
        assertThat(noDatabase.out()).isEmpty();
    }
}
