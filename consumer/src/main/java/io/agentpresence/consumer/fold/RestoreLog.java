package io.agentpresence.consumer.fold;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line when a store starts and ends restoring from its changelog, so a slow start explains itself. */
final class RestoreLog implements StateRestoreListener {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
        LOG.info("Restoring {} from {} (offsets {} to {})", store, partition, startOffset, endOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
        // the start and end lines are enough; a line per batch would flood a large restore
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long restored) {
        LOG.info("Restored {} from {}: {} records", store, partition, restored);
    }
}
