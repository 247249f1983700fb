package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.PartitionPosition;
import java.util.List;

/** Writes one batch with the positions its partitions move to; the poll loop's only way to the database's rows. */
@FunctionalInterface
public interface Applier {

    /**
     * Called on a writer thread, one batch per call.
     *
     * @throws FencedException when the stored positions moved; nothing of the batch was written
     */
    void apply(PendingBatch batch, List<PartitionPosition> positions) throws Exception;
}
