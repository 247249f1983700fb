package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the changes the database refuses for their content: halves of a refused batch are tried and rolled back
 * ({@link PresenceWriter#probe}) until each refused change stands alone. With few culprits, which is the rule,
 * that takes far fewer round trips than trying the changes one by one. Every path that writes uses it.
 */
public final class CulpritSearch {

    /** A change the database refuses on its own, and its answer. */
    public record Culprit(PresenceChange change, SQLException cause) {
    }

    private final PresenceWriter writer;
    private final FailureClassifier classifier;

    public CulpritSearch(PresenceWriter writer, FailureClassifier classifier) {
        this.writer = writer;
        this.classifier = classifier;
    }

    /**
     * @return the refused changes, in their order in {@code changes}; empty when no part fails on its own
     * @throws SQLException when the database itself fails during the search, which says nothing of the content
     */
    public List<Culprit> find(List<PresenceChange> changes) throws SQLException {
        List<Culprit> culprits = new ArrayList<>();
        // a copy: the caller may take the culprits out of its own list afterwards
        search(List.copyOf(changes), culprits);
        return culprits;
    }

    private void search(List<PresenceChange> changes, List<Culprit> culprits) throws SQLException {
        try {
            writer.probe(changes);
        } catch (SQLException e) {
            if (classifier.classify(e) != Verdict.DEAD_LETTER) {
                // the database itself failed while we searched; the caller retries the whole batch
                throw e;
            }
            if (changes.size() == 1) {
                culprits.add(new Culprit(changes.get(0), e));
                return;
            }
            int half = changes.size() / 2;
            search(changes.subList(0, half), culprits);
            search(changes.subList(half, changes.size()), culprits);
        }
    }
}
