package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.support.Histories;
import io.agentpresence.consumer.support.Histories.Batch;
import io.agentpresence.consumer.support.Histories.Event;
import io.agentpresence.consumer.support.PropertyInfrastructure;
import io.agentpresence.consumer.support.WritePath;
import io.agentpresence.embedded.junit.TestDatabase;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * The write path obeys the rule for any history and any way it reaches the database: the batch reduction and the
 * writer's SQL, on the real database, leave exactly the table the model ({@link ExpectedTable}) gives for the same
 * events in the order they were written, whatever the split into batches, and with two writers interleaved.
 */
@AddLifecycleHook(PropertyInfrastructure.class)
class WritePathPropertiesIT {

    private WritePath path;

    @BeforeProperty
    void open(TestDatabase db) throws Exception {
        path = new WritePath(db);
    }

    @AfterProperty
    void close() {
        path.close();
    }

    @BeforeTry
    void emptyTable() throws Exception {
        path.clear();
    }

    @Provide
    Arbitrary<List<Event>> histories() {
        return Histories.histories();
    }

    @Provide
    Arbitrary<List<Integer>> batchSizes() {
        return Histories.batchSizes();
    }

    @Provide
    Arbitrary<List<Integer>> lanes() {
        return Histories.lanes();
    }

    @Provide
    Arbitrary<List<Boolean>> turns() {
        return Histories.turns();
    }

    @Property(tries = 100)
    void anySplitIntoBatchesGivesTheModelsTable(@ForAll("histories") List<Event> history,
                                                @ForAll("batchSizes") List<Integer> sizes) throws Exception {
        List<Batch> written = Histories.split(0, history, sizes);

        path.write(written);

        assertWrote(written);
    }

    /** A user's events reaching two partitions: each partition's writer keeps its own order, the two interleave. */
    @Property(tries = 75)
    void twoWritersSharingUsersGiveTheModelsTableInTheOrderTheirBatchesWereWritten(
            @ForAll("histories") List<Event> history, @ForAll("lanes") List<Integer> lanes,
            @ForAll("batchSizes") List<Integer> sizes0, @ForAll("batchSizes") List<Integer> sizes1,
            @ForAll("turns") List<Boolean> turns) throws Exception {
        List<Batch> written = Histories.interleave(
                Histories.split(0, Histories.lane(history, lanes, 0), sizes0),
                Histories.split(1, Histories.lane(history, lanes, 1), sizes1), turns);

        path.write(written);

        assertWrote(written);
    }

    /** A replay of the history's last events (all of them from 0) written beside the live writer. */
    @Property(tries = 75)
    void aReplayOfAnySuffixBesideTheLiveWriterGivesTheModelsTable(
            @ForAll("histories") List<Event> history, @ForAll @IntRange(max = Histories.MAX_EVENTS) int replayFrom,
            @ForAll("batchSizes") List<Integer> liveSizes, @ForAll("batchSizes") List<Integer> replaySizes,
            @ForAll("turns") List<Boolean> turns) throws Exception {
        List<Event> replayed = history.subList(Math.min(replayFrom, history.size()), history.size());
        List<Batch> written = Histories.interleave(Histories.split(0, history, liveSizes),
                Histories.split(1, replayed, replaySizes), turns);

        path.write(written);

        assertWrote(written);
    }

    private void assertWrote(List<Batch> written) throws Exception {
        assertThat(path.rows()).as("the table after the batches %s", written)
                .isEqualTo(Histories.model(written).rows());
    }
}
