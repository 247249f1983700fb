package io.agentpresence.consumer;

import io.agentpresence.consumer.config.Durations;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.ConsumerProcess;
import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaBrokerProcess;
import io.agentpresence.embedded.junit.MariaDbProcess;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TcpProxy;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import io.agentpresence.model.PresenceTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The long chaos run, outside the default build ({@code scripts/chaos [DURATION [SEED]]}): several consumers from the
 * shaded jar share a steady stream with poison records mixed in, while they are killed, stopped and replaced,
 * the database is cut away and given back, and the broker and the database server are killed (SIGKILL) and
 * restarted on the same data. Broker and database server are processes of the run's own, so it can kill them;
 * without {@code mariadbd} on the machine the run uses the shared database and leaves the server kills out. At
 * the end the table must be what the stream predicts, every poison record must be in the dead-letter topic, no
 * good record may be, and no consumer may have given up.
 */
@ExtendWith(PresenceInfrastructure.class)
class ChaosRun {

    private static final int PARTITIONS = 6;
    private static final int INSTANCES = 3;
    private static final int USERS = 3_000;
    private static final int EVENTS_PER_SECOND = 1_500;
    /** One poison record for this many good ones: about 1%. */
    private static final int GOOD_PER_POISON = 100;
    private static final Duration DEFAULT_DURATION = Duration.ofMinutes(3);
    private static final Duration STARTED = Duration.ofSeconds(90);
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(30);
    private static final Duration CONVERGE = Duration.ofMinutes(3);
    /** Sends wait out a broker's downtime and restart instead of failing. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
    /** The consumer logs this once it has migrated, provisioned and started its poll loop. */
    private static final String STARTED_LINE = "Serving /metrics";
    private static final String FATAL_LINE = "Stopping:";

    private final List<Instance> running = new CopyOnWriteArrayList<>();
    private final List<Process> everyProcess = new CopyOnWriteArrayList<>();
    /** What went wrong besides the final comparison: unexpected exits, stops that hung, a failed chaos thread. */
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger gracefulStops = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private final AtomicInteger outages = new AtomicInteger();
    private final AtomicInteger brokerKills = new AtomicInteger();
    private final AtomicInteger databaseKills = new AtomicInteger();
    private final AtomicInteger instanceNumbers = new AtomicInteger();
    private ConsumerFixture fixture;
    private TestDatabase db;
    private TcpProxy proxy;
    private KafkaBrokerProcess broker;
    /** The run's own database server; null when the machine has none and the shared one is used. */
    private MariaDbProcess databaseServer;
    private String topic;
    private String dlq;
    private String group;
    private Path buildDir;
    private Path logDir;
    private long startNanos;

    /** One consumer process and its log. */
    private record Instance(int number, Process process, Path log) {
        @Override
        public String toString() {
            return "consumer-" + number;
        }
    }

    @BeforeEach
    void setUp(TestDatabase sharedDb) throws Exception {
        this.buildDir = ConsumerProcess.buildDir();
        this.logDir = Files.createDirectories(buildDir.resolve("chaos"));
        String run = "run-" + System.currentTimeMillis();
        this.broker = KafkaBrokerProcess.start(logDir.resolve(run + "-broker"));
        try {
            if (MariaDbProcess.installed()) {
                this.databaseServer = MariaDbProcess.start(logDir.resolve(run + "-mariadb"));
                this.db = databaseServer.createDatabase("chaos");
            } else {
                this.db = sharedDb;
            }
        } catch (Exception e) {
            // no fixture owns the broker yet
            broker.close();
            throw e;
        }
        this.fixture = new ConsumerFixture(broker, db);
        fixture.closeLater(broker);
        if (databaseServer != null) {
            fixture.closeLater(databaseServer);
        }
        this.topic = fixture.topic("chaos", PARTITIONS);
        StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        this.dlq = topic + ".dlq";
        this.group = "group-" + topic;
        this.proxy = fixture.databaseProxy();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : everyProcess) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (fixture != null) {
            fixture.close();
        }
        // the logs stay for reading; the data of broker and database server would only fill the disk
        try (var runs = Files.list(logDir)) {
            for (Path dir : runs.filter(Files::isDirectory).toList()) {
                deleteTree(dir.resolve("data"));
            }
        }
    }

    @Test
    void consumersKilledStoppedAndCutOffFromTheDatabaseEndWithTheTableTheStreamPredicts() throws Exception {
        Duration duration = Durations.parse(System.getProperty("chaos.duration", Durations.format(DEFAULT_DURATION)));
        long seed = Long.getLong("chaos.seed", 1L);
        int capacity = Math.toIntExact(EVENTS_PER_SECOND * Math.max(1, duration.toSeconds()));
        say("%s, seed %d, %d consumers, %d partitions, %,d events/s over %,d users, logs in %s", human(duration), seed,
                INSTANCES, PARTITIONS, EVENTS_PER_SECOND, USERS, logDir);
        if (databaseServer == null) {
            say("no mariadbd on this machine: the shared database is used and the database server is never killed");
        }
        startNanos = System.nanoTime();
        for (int i = 0; i < INSTANCES; i++) {
            running.add(startConsumer());
        }
        running.forEach(this::awaitStarted);

        PresenceStream stream = PresenceStream.random(seed, capacity, USERS);
        PresencePublisher publisher = fixture.publisher(topic, DELIVERY_TIMEOUT);
        Sending sending = stream.publish(publisher, 0, capacity, duration);
        fixture.closeLater(sending::cancel);
        PoisonSender poison = new PoisonSender(new Random(seed), sending);
        Thread chaos = thread("chaos", () -> chaos(new Random(seed), System.nanoTime() + duration.toNanos()));

        chaos.join();
        sending.cancel();
        sending.awaitAcknowledged(CONVERGE);
        poison.stop();
        say("stream stopped after %s: %,d events, %,d poison", elapsed(), sending.published(), poison.sent());

        replaceDeadInstances("after the chaos");
        running.forEach(this::awaitStarted);
        Map<Integer, Long> ends = StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        awaitCaughtUp(ends);

        Map<String, Row> expected = stream.expectedRows(sending.published());
        Map<String, Row> actual = new PresenceTable(db).rows();
        List<String> mismatches = PresenceTable.differences(expected, actual);
        DeadLetters letters = DeadLetters.check(TopicReader.readAll(fixture.bootstrapServers(), dlq), topic,
                poison.byOffset);
        List<String> fatal = fatalLines();

        long produced = sending.published() + poison.sent();
        long lost = Math.max(0, produced - StoredPositions.total(ends)) + lostRows(expected, actual)
                + poison.byOffset.keySet().stream().filter(o -> !letters.distinct.contains(o)).count();
        String summary = String.format("chaos: %s, events produced %,d (%,d poison), applied rows %,d,"
                        + " dead-lettered %,d (distinct offsets %,d), kills %d, graceful stops %d, restarts %d,"
                        + " db outages %d, broker kills %d, db server kills %d, lost %d, mismatches %d",
                human(duration), produced, poison.sent(), actual.size(), letters.records, letters.distinct.size(),
                kills.get(), gracefulStops.get(), restarts.get(), outages.get(), brokerKills.get(),
                databaseKills.get(), lost, mismatches.size());
        System.out.println(summary);
        Files.writeString(buildDir.resolve("chaos-summary.txt"), summary + "\n", StandardCharsets.UTF_8);

        assertThat(produced).as("records in the topic").isEqualTo(StoredPositions.total(ends));
        assertThat(problems).as("chaos problems").isEmpty();
        assertThat(fatal).as("'%s' lines in the consumer logs", FATAL_LINE).isEmpty();
        assertThat(mismatches).as("rows that differ from the stream's prediction").isEmpty();
        assertThat(poison.failures.get()).as("poison sends that failed").isZero();
        assertThat(letters.unexpected).as("dead letters of good records, or with the wrong reason").isEmpty();
        assertThat(letters.distinct).as("poison records (partition/offset) in the dead-letter topic")
                .isEqualTo(poison.byOffset.keySet());
        assertThat(lost).as("records missing from the topic, rows behind the stream, poison not dead-lettered").isZero();
        int actions = kills.get() + gracefulStops.get() + outages.get() + brokerKills.get() + databaseKills.get();
        assertThat(actions).as("chaos actions").isPositive();
        // the bag holds each kind once: a run that drew a full bag has seen every fault it can cause here
        int kinds = databaseServer == null ? 4 : 5;
        if (actions >= kinds) {
            assertThat(List.of(kills.get(), gracefulStops.get(), outages.get(), brokerKills.get()))
                    .as("consumer kills, graceful stops, db outages, broker kills").allMatch(n -> n > 0);
            if (databaseServer != null) {
                assertThat(databaseKills.get()).as("db server kills").isPositive();
            }
        }
    }

    /**
     * Every 5-15 s one of: SIGKILL of a consumer and a later restart, a graceful stop and a new instance, a
     * database outage, SIGKILL of the broker, SIGKILL of the database server (each of the last two restarted on
     * its data). They are drawn from a shuffled bag, so even a short run sees each of them.
     */
    private void chaos(Random random, long deadlineNanos) {
        List<Integer> bag = new ArrayList<>();
        try {
            while (true) {
                long pause = TimeUnit.SECONDS.toNanos(5 + random.nextInt(11));
                if (System.nanoTime() + pause - deadlineNanos >= 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, deadlineNanos - System.nanoTime()));
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(pause);
                replaceDeadInstances("during the chaos");
                if (bag.isEmpty()) {
                    bag.addAll(databaseServer == null ? List.of(0, 1, 2, 3) : List.of(0, 1, 2, 3, 4));
                    Collections.shuffle(bag, random);
                }
                Instance victim = running.get(random.nextInt(running.size()));
                switch (bag.remove(0)) {
                    case 0 -> kill(victim, Duration.ofMillis(2_000 + random.nextInt(3_001)));
                    case 1 -> stopGracefully(victim);
                    case 2 -> cutDatabase(Duration.ofMillis(2_000 + random.nextInt(6_001)));
                    case 3 -> killBroker(Duration.ofMillis(1_000 + random.nextInt(3_001)));
                    default -> killDatabaseServer(Duration.ofMillis(1_000 + random.nextInt(3_001)));
                }
            }
        } catch (Exception | AssertionError e) {
            problems.add("the chaos thread failed: " + e);
            e.printStackTrace();
        }
    }

    private void kill(Instance victim, Duration downtime) throws Exception {
        say("SIGKILL %s, restart in %d ms", victim, downtime.toMillis());
        victim.process.destroyForcibly();
        victim.process.waitFor(10, TimeUnit.SECONDS);
        running.remove(victim);
        kills.incrementAndGet();
        Thread.sleep(downtime.toMillis());
        restart();
    }

    private void stopGracefully(Instance victim) throws Exception {
        say("SIGTERM %s, then start a new one", victim);
        long start = System.nanoTime();
        victim.process.destroy();
        if (!victim.process.waitFor(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
            problems.add(victim + " did not stop within " + GRACEFUL_STOP + " of SIGTERM (" + victim.log + ")");
            victim.process.destroyForcibly();
            victim.process.waitFor(10, TimeUnit.SECONDS);
        } else {
            say("%s stopped in %d ms, exit %d", victim, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    victim.process.exitValue());
        }
        running.remove(victim);
        gracefulStops.incrementAndGet();
        restart();
    }

    private void cutDatabase(Duration outage) throws InterruptedException {
        say("database cut for %d ms", outage.toMillis());
        proxy.cut();
        outages.incrementAndGet();
        try {
            Thread.sleep(outage.toMillis());
        } finally {
            proxy.restore();
        }
        say("database restored");
    }

    private void killBroker(Duration downtime) throws Exception {
        say("SIGKILL the broker, restart in %d ms", downtime.toMillis());
        broker.kill();
        brokerKills.incrementAndGet();
        Thread.sleep(downtime.toMillis());
        broker.restart();
        say("broker restarted");
    }

    private void killDatabaseServer(Duration downtime) throws Exception {
        say("SIGKILL the database server, restart in %d ms", downtime.toMillis());
        databaseServer.kill();
        databaseKills.incrementAndGet();
        Thread.sleep(downtime.toMillis());
        databaseServer.restart();
        say("database server restarted");
    }

    /** Starts a replacement and waits until it runs, so the next action never hits a start half done. */
    private void restart() throws IOException {
        Instance fresh = startConsumer();
        running.add(fresh);
        restarts.incrementAndGet();
        awaitStarted(fresh);
    }

    /** An instance that exited without being told to is a failure; a replacement keeps the run going. */
    private void replaceDeadInstances(String when) throws IOException {
        for (Instance instance : running) {
            if (!instance.process.isAlive()) {
                problems.add(instance + " exited on its own " + when + " with " + instance.process.exitValue()
                        + "; its log (" + instance.log + ") ends:\n" + ConsumerProcess.tail(instance.log, 30));
                running.remove(instance);
                restart();
            }
        }
    }

    /** The shaded jar in a JVM of its own, configured by environment, its database behind the proxy. */
    private Instance startConsumer() throws IOException {
        int number = instanceNumbers.incrementAndGet();
        Map<String, String> settings = fixture.settings(topic, group);
        settings.put("db.url", fixture.jdbcUrlVia(proxy));
        settings.put("dlq.topic", dlq);
        settings.put("instances", String.valueOf(INSTANCES));
        // outages last seconds here: a long back-off would only make the run wait
        settings.put("retry.backoff.max", "2s");
        Path log = logDir.resolve(topic + "-consumer-" + number + ".log");
        Process process = ConsumerProcess.start(settings, log);
        everyProcess.add(process);
        say("started consumer-%d (pid %d)", number, process.pid());
        return new Instance(number, process, log);
    }

    private void awaitStarted(Instance instance) {
        long deadline = System.nanoTime() + STARTED.toNanos();
        try {
            while (!contains(instance.log, STARTED_LINE)) {
                if (!instance.process.isAlive() || System.nanoTime() - deadline > 0) {
                    String state = instance.process.isAlive() ? "still starting"
                            : "exit " + instance.process.exitValue();
                    throw new AssertionError(instance + " did not start (" + state + "); its log ends:\n"
                            + ConsumerProcess.tail(instance.log, 30));
                }
                Thread.sleep(200);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("waiting for " + instance + " to start", e);
        }
    }

    /** Waits until every stored position reaches the end offsets, while every consumer stays alive. */
    private void awaitCaughtUp(Map<Integer, Long> ends) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        Map<Integer, Long> stored = StoredPositions.read(db, group, topic);
        while (!stored.equals(ends)) {
            for (Instance instance : running) {
                assertThat(instance.process.isAlive()).as("%s alive while catching up; its log (%s) ends:\n%s",
                        instance, instance.log, ConsumerProcess.tail(instance.log, 30)).isTrue();
            }
            assertThat(System.nanoTime() - deadline).as("stored positions %s reach the end offsets %s within %s",
                    stored, ends, CONVERGE).isNegative();
            Thread.sleep(500);
            stored = StoredPositions.read(db, group, topic);
        }
        say("caught up after %s: %,d records", elapsed(), StoredPositions.total(ends));
    }

    /** Users whose row is missing or older than the stream predicts: an event that reached no row. */
    private static long lostRows(Map<String, Row> expected, Map<String, Row> actual) {
        return expected.values().stream().filter(e -> actual.get(e.userId()) == null
                || actual.get(e.userId()).eventTs() < e.eventTs()).count();
    }


    private List<String> fatalLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (var logs = Files.list(logDir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith(topic)).sorted().toList()) {
                Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(FATAL_LINE))
                        .forEach(l -> lines.add(log.getFileName() + ": " + l));
            }
        }
        return lines;
    }

    /**
     * Sends poison records with a raw producer, one per {@link #GOOD_PER_POISON} good events the stream has
     * published, remembering each one's partition and offset with the reason it must be dead-lettered for.
     */
    private final class PoisonSender {
        final Map<String, String> byOffset = new ConcurrentHashMap<>();
        final AtomicInteger failures = new AtomicInteger();
        private final AtomicInteger sent = new AtomicInteger();
        private final KafkaProducer<byte[], byte[]> producer = fixture.rawProducer(DELIVERY_TIMEOUT);
        private final Random random;
        private final Sending good;
        private final Thread thread;
        private volatile boolean stopped;

        PoisonSender(Random random, Sending good) {
            this.random = random;
            this.good = good;
            this.thread = thread("poison", this::run);
        }

        private void run() {
            try {
                while (!stopped) {
                    while (sent.get() < good.published() / GOOD_PER_POISON) {
                        send(Poison.random(random, USERS));
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                problems.add("the poison sender was interrupted");
            }
        }

        private void send(Poison p) {
            sent.incrementAndGet();
            producer.send(new ProducerRecord<>(topic, p.key(), p.value()), (metadata, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else {
                    byOffset.put(metadata.partition() + "/" + metadata.offset(), p.reason());
                }
            });
        }

        /** Sends what the published events still call for, then waits for every acknowledgement. */
        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
            while (sent.get() < good.published() / GOOD_PER_POISON) {
                send(Poison.random(random, USERS));
            }
            producer.flush();
        }

        int sent() {
            return sent.get();
        }
    }

    /** A record the consumer must refuse, and the reason code its dead letter must carry. */
    private record Poison(byte[] key, byte[] value, String reason) {

        static Poison random(Random random, int users) {
            String user = "user-" + random.nextInt(users);
            String other = "user-" + random.nextInt(users);
            long future = System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1);
            return switch (random.nextInt(12)) {
                case 0 -> of(user, "hello", "malformed-json");
                case 1 -> of(user, "[1,2]", "not-an-object");
                case 2 -> of(user, event(user, "dancing", "1"), "unknown-status");
                case 3 -> of(user, event(other.equals(user) ? user + "x" : other, "online", "1"), "key-mismatch");
                case 4 -> new Poison(null, utf8(event(user, "online", "1")), "missing-key");
                case 5 -> of(user, event(user, "online", "\"1\""), "invalid-ts");
                case 6 -> of(user, event(user, "online", "-5"), "invalid-ts");
                case 7 -> of(user, event(user, "busy", String.valueOf(future)), "ts-in-future");
                case 8 -> of(user, "{\"userId\":\"" + user + "\",\"userId\":\"" + user + "\",\"status\":\"away\"}",
                        "duplicate-field");
                case 9 -> new Poison(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8(event(user, "online", "1")),
                        "invalid-key");
                case 10 -> of(user, "{\"userId\":\"" + user + "\",\"ts\":1}", "missing-status");
                default -> of(user, "{\"userId\":\"" + user + "\",\"status\":\"online\",\"ts\":1,\"source\":\""
                        + "s".repeat(65) + "\"}", "source-too-long");
            };
        }

        private static Poison of(String key, String value, String reason) {
            return new Poison(utf8(key), utf8(value), reason);
        }

        private static String event(String userId, String status, String ts) {
            return "{\"userId\":\"" + userId + "\",\"status\":\"" + status + "\",\"ts\":" + ts + "}";
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The dead-letter topic read back: records, distinct original positions, and letters that should not be. */
    private record DeadLetters(int records, Set<String> distinct, List<String> unexpected) {

        static DeadLetters check(List<ConsumerRecord<byte[], byte[]>> letters, String topic,
                                 Map<String, String> poison) {
            Set<String> distinct = new HashSet<>();
            List<String> unexpected = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                String origin = header(letter, PresenceTopics.HEADER_ORIGINAL_PARTITION) + "/"
                        + header(letter, PresenceTopics.HEADER_ORIGINAL_OFFSET);
                String reason = header(letter, PresenceTopics.HEADER_REASON);
                String expected = poison.get(origin);
                String fromTopic = header(letter, PresenceTopics.HEADER_ORIGINAL_TOPIC);
                if (!topic.equals(fromTopic) || !Objects.equals(expected, reason)) {
                    unexpected.add(origin + ": reason " + reason + ", expected " + (expected == null ? "no dead letter"
                            : expected));
                }
                distinct.add(origin);
            }
            return new DeadLetters(letters.size(), distinct, unexpected);
        }

        private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
            Header h = record.headers().lastHeader(name);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void say(String format, Object... args) {
        String at = startNanos == 0 ? "" : "+" + elapsed() + " ";
        System.out.println("chaos: " + at + String.format(format, args));
    }

    private String elapsed() {
        return human(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** {@code 45s}, {@code 3m0s}. */
    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s / 60 + "m" + s % 60 + "s";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static boolean contains(Path file, String text) throws IOException {
        return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text);
    }
}
