package io.agentpresence.consumer;

import io.agentpresence.consumer.engine.ConsumerListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TcpProxy;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database goes away mid-stream (a TCP proxy between the consumer and the server resets every connection
 * and refuses new ones) while events keep arriving. The consumer must hold its batch, report not-ready, stay in
 * its group, and once the database is back apply everything: nothing lost, nothing dead-lettered.
 */
@ExtendWith(PresenceInfrastructure.class)
class DatabaseOutageIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = 300;
    private static final int EVENTS = 3_000;
    /** 3,000 events at this pace take 9 s, so the stream runs before, through and after the outage. */
    private static final Duration SEND_INTERVAL = Duration.ofMillis(3);
    /** Records applied through the proxy before the cut: the outage must hit a stream in progress. */
    private static final long APPLIED_BEFORE_CUT = 500;
    private static final Duration OUTAGE = Duration.ofSeconds(5);
    /**
     * After the restore: HikariCP's connection adder backs off up to 5 s between failed attempts, the loop's
     * own back-off is 1 s here, and the connection timeout is 10 s; 20 s covers all of them with room.
     */
    private static final Duration RECOVER = Duration.ofSeconds(20);
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aFiveSecondDatabaseOutageMidStreamLosesNothingDeadLettersNothingAndKeepsTheGroup() throws Exception {
        String topic = fixture.topic("outage", PARTITIONS);
        String dlq = fixture.topic("outage-dlq", 1);
        String group = "outage-" + topic;
        TcpProxy proxy = fixture.databaseProxy();
        MembershipLog membership = new MembershipLog();
        Map<String, String> settings = fixture.settings(topic, group);
        settings.put("db.url", fixture.jdbcUrlVia(proxy));
        settings.put("dlq.topic", dlq);
        settings.put("retry.backoff.max", "1s");
        ConsumerService service = fixture.start(settings, membership);
        await().atMost(CONVERGE).until(() -> membership.assignedPartitions() == PARTITIONS && service.isReady());

        PresenceModel model = new PresenceModel();
        Future<List<CompletableFuture<?>>> stream = publishInBackground(topic, model);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) >= APPLIED_BEFORE_CUT);

        proxy.cut();
        long publishedAtCut = model.records();
        Outage outage = watch(service, group, topic);
        long appliedEarlyInOutage = outage.appliedAfterHalfASecond;
        long appliedAtRestore = StoredPositions.total(db, group, topic);
        long publishedAtRestore = model.records();
        proxy.restore();

        await().atMost(RECOVER).until(service::isReady);
        for (CompletableFuture<?> send : stream.get(CONVERGE.toSeconds(), TimeUnit.SECONDS)) {
            send.get();
        }
        assertThat(model.records()).isEqualTo(EVENTS);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == EVENTS);

        assertThat(table.rows()).isEqualTo(model.rows());
        assertThat(model.rows()).hasSizeGreaterThan(USERS / 2);
        // the outage really hit a live stream, and nothing reached the database through the cut proxy
        assertThat(publishedAtCut).isLessThan(EVENTS);
        assertThat(publishedAtRestore).isGreaterThan(publishedAtCut);
        assertThat(appliedAtRestore).isEqualTo(appliedEarlyInOutage);
        // readiness followed the database, and the failed attempts were retries, never dead letters; the first
        // statement after the cut fails at once because the steady stream never leaves the pooled connection idle
        // long enough (500 ms) for HikariCP to validate it before lending it out
        assertThat(outage.sawNotReady).as("isReady() false at some point during the outage").isTrue();
        assertThat(outage.readyAtEnd).as("isReady() at the end of the outage").isFalse();
        assertThat(service.isReady()).isTrue();
        // what an alert sees of it: the waiting meter rose with the outage and fell with it
        assertThat(outage.sawWaitingMeter).as("%s at 1 during the outage", PresenceMetrics.WAITING).isTrue();
        assertThat(waitingMeter(service)).as("%s after the outage", PresenceMetrics.WAITING).isZero();
        assertThat(service.failure()).isNull();
        assertThat(count(service, PresenceMetrics.BATCH_RETRIES)).isPositive();
        assertThat(count(service, PresenceMetrics.EVENTS_DEAD_LETTERED)).isZero();
        assertThat(count(service, PresenceMetrics.EVENTS_REJECTED)).isZero();
        assertThat(TopicReader.readAll(fixture.bootstrapServers(), dlq)).isEmpty();
        // the member stayed in its group through the outage: no rebalance moved the partitions
        assertThat(membership.assignments.get()).isEqualTo(1);
        assertThat(membership.revocations.get()).isZero();
    }

    /** Publishes {@link #EVENTS} events at a steady pace from one thread, recording each in the model first. */
    private Future<List<CompletableFuture<?>>> publishInBackground(String topic, PresenceModel model) {
        PresencePublisher publisher = fixture.publisher(topic);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        fixture.closeLater(pool::shutdownNow);
        return pool.submit(() -> {
            Random random = new Random(11);
            List<CompletableFuture<?>> sends = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                // paced against the clock, not by sleeps that add up: a loaded machine does not stretch the stream
                long ahead = start + i * SEND_INTERVAL.toNanos() - System.nanoTime();
                if (ahead > 0) {
                    TimeUnit.NANOSECONDS.sleep(ahead);
                }
                String status = List.of("online", "away", "busy", "offline").get(random.nextInt(4));
                // ts mostly rises with i, but within 100 ms of jitter, so some events arrive stale
                PresenceEvent event = new PresenceEvent("user-" + random.nextInt(USERS), status,
                        1_000 + i + random.nextInt(100), "s" + i);
                model.published(event);
                sends.add(publisher.publish(event));
            }
            return sends;
        });
    }

    /** Watches readiness and progress through the outage, sampling every 20 ms until it is over. */
    private Outage watch(ConsumerService service, String group, String topic) throws Exception {
        Outage outage = new Outage();
        long start = System.nanoTime();
        long end = start + OUTAGE.toNanos();
        boolean progressTaken = false;
        while (System.nanoTime() - end < 0) {
            boolean ready = service.isReady();
            outage.sawNotReady |= !ready;
            outage.sawWaitingMeter |= waitingMeter(service) == 1;
            outage.readyAtEnd = ready;
            if (!progressTaken && System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(500)) {
                // a commit already on the server when the proxy cut may land; nothing after that can
                outage.appliedAfterHalfASecond = StoredPositions.total(db, group, topic);
                progressTaken = true;
            }
            Thread.sleep(20);
        }
        return outage;
    }

    private static double count(ConsumerService service, String meter) {
        return Counters.sum(service, meter);
    }

    private static double waitingMeter(ConsumerService service) {
        return service.meterRegistry().get(PresenceMetrics.WAITING).gauge().value();
    }

    private static final class Outage {
        boolean sawNotReady;
        boolean sawWaitingMeter;
        boolean readyAtEnd;
        long appliedAfterHalfASecond;
    }

    /** Counts the group's assignments and revocations, as the poll loop reports them. */
    private static final class MembershipLog implements ConsumerListener {
        final AtomicInteger assignments = new AtomicInteger();
        final AtomicInteger revocations = new AtomicInteger();
        final List<TopicPartition> owned = new CopyOnWriteArrayList<>();

        @Override
        public void onAssigned(Collection<TopicPartition> partitions) {
            assignments.incrementAndGet();
            owned.addAll(partitions);
        }

        @Override
        public void onRevoked(Collection<TopicPartition> partitions) {
            revocations.incrementAndGet();
            owned.removeAll(partitions);
        }

        int assignedPartitions() {
            return owned.size();
        }
    }
}
