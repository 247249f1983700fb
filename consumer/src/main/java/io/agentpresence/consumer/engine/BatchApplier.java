package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.error.DeadLetter;
import io.agentpresence.consumer.error.DeadLetterPublisher;
import io.agentpresence.consumer.error.DeadLetterRefusedException;
import io.agentpresence.consumer.error.DeadLetterUnavailableException;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.PartitionPosition;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.WriteResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does one batch's work in the order that loses nothing: dead letters first, acknowledged by the broker;
 * then the rows and positions in one transaction. When the database refuses the batch for its content,
 * halves are tried (and rolled back) until the refused changes are found; only those are dead-lettered.
 */
public final class BatchApplier implements Applier {

    private static final Logger LOG = LoggerFactory.getLogger(BatchApplier.class);

    private final PresenceWriter writer;
    private final DeadLetterPublisher deadLetters;
    private final FailureClassifier classifier;
    private final PresenceMetrics metrics;
    private final Duration deadLetterTimeout;
    private final CulpritSearch culpritSearch;

    public BatchApplier(PresenceWriter writer, DeadLetterPublisher deadLetters, FailureClassifier classifier,
                 PresenceMetrics metrics, Duration deadLetterTimeout) {
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.classifier = classifier;
        this.metrics = metrics;
        this.deadLetterTimeout = deadLetterTimeout;
        this.culpritSearch = new CulpritSearch(writer, classifier);
    }

    /** @throws FencedException when the stored positions moved; nothing of the batch was written */
    @Override
    public void apply(PendingBatch batch, List<PartitionPosition> positions) throws Exception {
        sendDeadLetters(batch);
        try {
            write(batch, positions);
        } catch (SQLException e) {
            if (classifier.classify(e) != Verdict.DEAD_LETTER) {
                throw e;
            }
            List<CulpritSearch.Culprit> culprits = culpritSearch.find(batch.changes());
            if (culprits.isEmpty()) {
                // the failure did not reproduce change by change; keep the batch and let the caller retry
                throw e;
            }
            for (CulpritSearch.Culprit culprit : culprits) {
                int records = batch.deadLetter(culprit.change(), culprit.cause());
                LOG.warn("The database refuses the change for user {} ({}); dead-lettering the user's {} record(s)"
                        + " in the batch", culprit.change().userId(), culprit.cause().getMessage(), records);
            }
            sendDeadLetters(batch);
            write(batch, positions);
        }
    }

    private void write(PendingBatch batch, List<PartitionPosition> positions) throws Exception {
        List<PresenceChange> changes = batch.changes();
        WriteResult result = metrics.batchWrite().recordCallable(() -> writer.write(changes, positions));
        long now = System.currentTimeMillis();
        metrics.written(result);
        metrics.batch(batch.recordCount());
        // once per batch, for its oldest change: a record per change cost the writers a tenth of their time
        long oldest = Long.MAX_VALUE;
        for (PresenceChange change : changes) {
            oldest = Math.min(oldest, change.ts());
        }
        if (!changes.isEmpty()) {
            metrics.delay(oldest, now);
        }
        LOG.debug("Batch of {} records: {} inserted, {} updated, {} stale, {} deleted, {} last_seen only,"
                        + " {} dead-lettered", batch.recordCount(), result.inserted(), result.updated(),
                result.unchanged(), result.deleted(), result.seen(), batch.deadLetterCount());
    }

    private void sendDeadLetters(PendingBatch batch) throws InterruptedException, DeadLetterUnavailableException,
            DeadLetterRefusedException {
        List<DeadLetter> unsent = batch.unsentDeadLetters();
        if (unsent.isEmpty()) {
            return;
        }
        for (DeadLetter letter : unsent) {
            LOG.warn("Dead-lettering {}-{}@{}: {}", letter.record().topic(), letter.record().partition(),
                    letter.record().offset(), letter.error().getMessage());
        }
        // the offsets may pass these records only once the broker has them
        deadLetters.publish(unsent, deadLetterTimeout);
        unsent.forEach(letter -> metrics.deadLettered(letter.reason()));
        batch.markDeadLettersSent();
    }
}
