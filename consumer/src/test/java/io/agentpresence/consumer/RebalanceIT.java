package io.agentpresence.consumer;

import io.agentpresence.consumer.engine.ConsumerListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Partitions change hands under load: three instances share a topic, one leaves and a fresh one joins while
 * events stream in. The table must still end as the model predicts, and no instance may commit a batch for a
 * partition it has given up. Run with the classic protocol (cooperative-sticky) and with KIP-848's.
 */
@ExtendWith(PresenceInfrastructure.class)
class RebalanceIT {

    private static final int PARTITIONS = 6;
    private static final int USERS = 400;
    private static final int EVENTS = 12_000;
    private static final int FIRST_SLICE = 9_000;
    private static final Duration FIRST_SLICE_OVER = Duration.ofSeconds(9);
    private static final Duration REST_OVER = Duration.ofSeconds(3);
    private static final Duration CONVERGE = Duration.ofSeconds(45);

    private final Timeline timeline = new Timeline();
    private ConsumerFixture fixture;
    private TestDatabase db;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void whenMembersLeaveAndJoinMidStreamTheTableMatchesAndNoBatchIsCommittedForALostPartition(String protocol)
            throws Exception {
        String topic = fixture.topic("rebalance", PARTITIONS);
        // answers only once every partition's leader does; an idempotent producer that races the election can
        // have its first batch refused while later ones land, and then lose it as out of sequence
        StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        String group = "group-" + topic;
        PresenceStream stream = PresenceStream.random(23, EVENTS, USERS);
        PresencePublisher publisher = fixture.publisher(topic);

        ConsumerService a = startInstance("a", topic, group, protocol);
        ConsumerService b = startInstance("b", topic, group, protocol);
        ConsumerService c = startInstance("c", topic, group, protocol);
        await().atMost(CONVERGE).until(() -> List.of("a", "b", "c").stream().allMatch(i -> !timeline.owned(i).isEmpty()));

        Sending first = stream.publish(publisher, 0, FIRST_SLICE, FIRST_SLICE_OVER);
        fixture.closeLater(first::cancel);
        await().atMost(CONVERGE).until(() -> first.published() >= FIRST_SLICE / 8 && timeline.commits("b") > 0);
        b.close();
        // b's partitions go to a and c first, so that d can only get partitions by taking them from a or c
        await().atMost(CONVERGE).until(() -> timeline.ownedByAny("a", "c").size() == PARTITIONS);
        long dJoins = System.nanoTime();
        ConsumerService d = startInstance("d", topic, group, protocol);
        await().atMost(CONVERGE).until(() -> !timeline.owned("d").isEmpty());

        // usually d is in before the first slice ends (KIP-848's 5 s broker heartbeats can make it late); the
        // rest of the stream follows the first slice, so a user's events keep their send order
        first.awaitAcknowledged(CONVERGE);
        Sending rest = stream.publish(publisher, FIRST_SLICE, EVENTS, REST_OVER);
        fixture.closeLater(rest::cancel);
        rest.awaitAcknowledged(CONVERGE);
        Map<Integer, Long> ends = StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(StoredPositions.read(db, group, topic)).isEqualTo(ends));
        assertThat(new PresenceTable(db).rows()).isEqualTo(stream.expectedRows());

        assertThat(timeline.violations()).as("batches committed for partitions the instance did not own").isEmpty();
        assertThat(timeline.owned("b")).as("b handed back everything when it left").isEmpty();
        assertThat(timeline.revocationsSince("a", dJoins) + timeline.revocationsSince("c", dJoins))
                .as("d's partitions were taken from a or c, so the check above saw a hand-over").isPositive();
        assertThat(timeline.commits("d")).as("batches d committed").isPositive();
        for (ConsumerService service : List.of(a, c, d)) {
            assertThat(service.failure()).isNull();
            assertThat(service.isLive()).isTrue();
        }
    }

    private ConsumerService startInstance(String name, String topic, String group, String protocol) throws Exception {
        Map<String, String> settings = fixture.settings(topic, group);
        // small batches: more of them in flight when partitions move
        settings.put("max.poll.records", "300");
        settings.put("kafka.group.protocol", protocol);
        if (protocol.equals("classic")) {
            // members learn of a rebalance from a heartbeat; KIP-848 sets its interval on the broker instead
            settings.put("kafka.heartbeat.interval.ms", "500");
        }
        return fixture.start(settings, timeline.listenerFor(name));
    }

    /** What each instance's listener saw, in the order its poll loop saw it. */
    private static final class Timeline {

        enum Kind { ASSIGNED, REVOKED, COMMITTED }

        record Entry(String instance, Kind kind, Set<Integer> partitions, long nanos) {
            @Override
            public String toString() {
                return instance + " " + kind + " " + partitions + " @" + nanos;
            }
        }

        private final List<Entry> entries = Collections.synchronizedList(new ArrayList<>());

        ConsumerListener listenerFor(String instance) {
            return new ConsumerListener() {
                @Override
                public void onAssigned(Collection<TopicPartition> partitions) {
                    record(instance, Kind.ASSIGNED, partitions);
                }

                @Override
                public void onRevoked(Collection<TopicPartition> partitions) {
                    record(instance, Kind.REVOKED, partitions);
                }

                @Override
                public void onBatchCommitted(Collection<TopicPartition> partitions, int records) {
                    record(instance, Kind.COMMITTED, partitions);
                }
            };
        }

        private void record(String instance, Kind kind, Collection<TopicPartition> partitions) {
            Set<Integer> numbers = partitions.stream().map(TopicPartition::partition)
                    .collect(Collectors.toCollection(TreeSet::new));
            entries.add(new Entry(instance, kind, numbers, System.nanoTime()));
        }

        List<Entry> of(String instance) {
            synchronized (entries) {
                return entries.stream().filter(e -> e.instance().equals(instance))
                        .sorted(Comparator.comparingLong(Entry::nanos)).toList();
            }
        }

        Set<Integer> owned(String instance) {
            Set<Integer> owned = new TreeSet<>();
            for (Entry e : of(instance)) {
                if (e.kind() == Kind.ASSIGNED) {
                    owned.addAll(e.partitions());
                } else if (e.kind() == Kind.REVOKED) {
                    owned.removeAll(e.partitions());
                }
            }
            return owned;
        }

        Set<Integer> ownedByAny(String... instances) {
            Set<Integer> owned = new TreeSet<>();
            for (String instance : instances) {
                owned.addAll(owned(instance));
            }
            return owned;
        }

        long commits(String instance) {
            return of(instance).stream().filter(e -> e.kind() == Kind.COMMITTED).count();
        }

        long revocationsSince(String instance, long nanos) {
            return of(instance).stream().filter(e -> e.kind() == Kind.REVOKED && e.nanos() - nanos > 0).count();
        }

        /** Commits touching a partition revoked (and not assigned again since), or never assigned at all. */
        List<String> violations() {
            Set<String> instances;
            synchronized (entries) {
                instances = entries.stream().map(Entry::instance).collect(Collectors.toCollection(TreeSet::new));
            }
            List<String> violations = new ArrayList<>();
            for (String instance : instances) {
                Map<Integer, Entry> revokedBy = new HashMap<>();
                Set<Integer> owned = new TreeSet<>();
                for (Entry e : of(instance)) {
                    switch (e.kind()) {
                        case ASSIGNED -> {
                            owned.addAll(e.partitions());
                            e.partitions().forEach(revokedBy::remove);
                        }
                        case REVOKED -> {
                            owned.removeAll(e.partitions());
                            e.partitions().forEach(p -> revokedBy.put(p, e));
                        }
                        case COMMITTED -> {
                            for (int p : e.partitions()) {
                                if (revokedBy.containsKey(p)) {
                                    violations.add(e + " after " + revokedBy.get(p));
                                } else if (!owned.contains(p)) {
                                    violations.add(e + " for partition " + p + ", never assigned to " + instance);
                                }
                            }
                        }
                        default -> throw new IllegalStateException("unknown kind " + e.kind());
                    }
                }
            }
            return violations;
        }
    }
}
