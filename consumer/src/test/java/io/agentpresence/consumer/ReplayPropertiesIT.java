package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.recovery.Replay;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Histories;
import io.agentpresence.consumer.support.Histories.Batch;
import io.agentpresence.consumer.support.Histories.Event;
import io.agentpresence.consumer.support.PropertyInfrastructure;
import io.agentpresence.consumer.support.WritePath;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEventCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code replay} obeys the rule: a history published to a topic and re-applied by {@link Replay}, onto an empty
 * table or onto the table the live writer left, gives the model's table. The tries share one topic: each publishes
 * its history later than every earlier try's and replays from that time ({@code replay --from}). Every try reads
 * the topic with a consumer of its own, so tries are few.
 */
@AddLifecycleHook(PropertyInfrastructure.class)
class ReplayPropertiesIT {

    /** Event times sit a minute in the past: tombstones take them as record timestamps, which the skew bounds. */
    private static final long PAST = 60_000;
    /** Each try's times start this much after the previous try's, beyond all of that history's times. */
    private static final long TRY_GAP = 1_000;

    private ConsumerFixture fixture;
    private WritePath path;
    private KafkaProducer<byte[], byte[]> producer;
    private String topic;
    private long base;
    private final PresenceEventCodec codec = new PresenceEventCodec();

    @BeforeProperty
    void open(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        fixture = new ConsumerFixture(kafka, db);
        path = fixture.closeLater(new WritePath(db));
        producer = fixture.rawProducer();
        topic = fixture.topic("replay-property", 2);
    }

    @AfterProperty
    void close() throws Exception {
        fixture.close();
    }

    @BeforeTry
    void emptyTable() throws Exception {
        path.clear();
        base = Math.max(System.currentTimeMillis() - PAST, base + TRY_GAP);
    }

    @Provide
    Arbitrary<List<Event>> histories() {
        return Histories.histories();
    }

    @Provide
    Arbitrary<List<Integer>> batchSizes() {
        return Histories.batchSizes();
    }

    /** With {@code live}, the live writer has applied the history (in batches of {@code sizes}) before the replay. */
    @Property(tries = 10)
    void aReplayOfTheTopicGivesTheModelsTable(@ForAll("histories") List<Event> history, @ForAll boolean live,
                                              @ForAll("batchSizes") List<Integer> sizes) throws Exception {
        publish(history);
        List<Batch> written = new ArrayList<>(live ? Histories.split(0, history, sizes) : List.of());
        path.write(written.stream().map(this::later).toList());

        long applied = replay();
        // a user's events share a partition, so the replay reads each user's events in the order they were published
        written.add(new Batch(1, history));

        assertThat(applied).isEqualTo(history.size());
        assertThat(rowsSinceBase()).as("the table after %s", written).isEqualTo(Histories.model(written).rows());
    }

    private void publish(List<Event> history) throws Exception {
        for (Event event : history) {
            Event sent = event.later(base);
            byte[] value = sent.type() == Histories.Type.DELETION ? null : codec.encode(sent.event());
            producer.send(new ProducerRecord<>(topic, null, sent.ts(), PresenceEventCodec.key(sent.userId()), value));
        }
        producer.flush();
    }

    /** Replays this try's records: every earlier try's are older than {@code base}. */
    private long replay() throws Exception {
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(fixture.settings(topic, topic + "-live"));
        StringWriter out = new StringWriter();
        return new Replay(config, path.writer(1), new FailureClassifier(), new PrintWriter(out))
                .run(Instant.ofEpochMilli(base));
    }

    private Batch later(Batch batch) {
        return new Batch(batch.lane(), batch.events().stream().map(event -> event.later(base)).toList());
    }

    /** The table with its times counted from {@code base}, as the history states them. */
    private Map<String, ExpectedTable.Row> rowsSinceBase() throws Exception {
        Map<String, ExpectedTable.Row> rows = new TreeMap<>();
        path.rows().forEach((user, row) -> rows.put(user, new ExpectedTable.Row(user, row.status(),
                row.eventTs() - base, row.lastSeen() - base, row.source())));
        return rows;
    }
}
