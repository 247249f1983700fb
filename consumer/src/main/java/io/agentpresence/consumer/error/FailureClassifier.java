package io.agentpresence.consumer.error;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The one place that decides whether a failure is the infrastructure's (retry), the record's (dead-letter)
 * or unrecoverable (stop). Infrastructure failures never reach the dead-letter topic.
 */
public final class FailureClassifier {

    /** Deadlock, lock wait timeout, read-only server (fail-over in progress), query interrupted. */
    private static final Set<Integer> TRANSIENT_MYSQL_ERRORS = Set.of(1205, 1213, 1290, 1836, 1317, 3024, 1927);

    public Verdict classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DeadLetterRefusedException) {
                // the dead-letter topic will never take the record, and skipping it would lose it: an operator must act
                return Verdict.FATAL;
            }
            if (t instanceof DeadLetterUnavailableException) {
                // the topic failed for now (broker down, a timeout): dropping the record is not an option; wait
                return Verdict.RETRY;
            }
            if (t instanceof SQLException sql) {
                return classify(sql);
            }
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return Verdict.FATAL;
            }
            if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException
                    || t instanceof java.util.concurrent.TimeoutException || t instanceof java.io.IOException) {
                return Verdict.RETRY;
            }
        }
        // not SQL, not Kafka: an unexpected exception is a bug, and retrying a bug only hides it
        return Verdict.FATAL;
    }

    private static Verdict classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException || e instanceof SQLTimeoutException
                || state.startsWith("08") || state.equals("40001") || TRANSIENT_MYSQL_ERRORS.contains(e.getErrorCode())) {
            return Verdict.RETRY;
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            // data exception (too long, bad string, out of range) or integrity violation: this row's fault
            return Verdict.DEAD_LETTER;
        }
        if (state.startsWith("42") || state.startsWith("28") || state.startsWith("3D")) {
            // syntax/access rule, authorization, unknown database: configuration, not data, and not transient
            return Verdict.FATAL;
        }
        // unknown server conditions are treated as passing: the batch is kept and retried with back-off
        return Verdict.RETRY;
    }
}
