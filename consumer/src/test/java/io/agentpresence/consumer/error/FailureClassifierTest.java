package io.agentpresence.consumer.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {

    private final FailureClassifier classifier = new FailureClassifier();

    @ParameterizedTest(name = "SQLState {0}, error {1} -> {2}")
    @CsvSource({
        "40001, 1213, RETRY",        // deadlock
        "HY000, 1205, RETRY",        // lock wait timeout
        "08S01, 0, RETRY",           // communications link failure
        "08001, 0, RETRY",           // cannot connect
        "HY000, 1290, RETRY",        // read-only server during fail-over
        "70100, 1927, RETRY",        // connection killed
        "22001, 1406, DEAD_LETTER",  // data too long
        "HY000, 1366, RETRY",        // MySQL reports some string errors as HY000: not provably the row's fault
        "22007, 1366, DEAD_LETTER",  // incorrect string value
        "23000, 1048, DEAD_LETTER",  // column cannot be null
        "42S02, 1146, FATAL",        // table does not exist
        "42000, 1142, FATAL",        // command denied
        "28000, 1045, FATAL",        // access denied
        "HY000, 9999, RETRY"         // unknown server condition: keep the batch, retry
    })
    void sqlFailuresAreClassifiedByStateAndCode(String state, int code, Verdict expected) {
        assertThat(classifier.classify(new SQLException("x", state, code))).isEqualTo(expected);
    }

    @Test
    void poolTimeoutsAndDriverTimeoutsAreRetried() {
        assertThat(classifier.classify(new SQLTransientConnectionException("pool exhausted"))).isEqualTo(Verdict.RETRY);
        assertThat(classifier.classify(new SQLTimeoutException("statement timeout"))).isEqualTo(Verdict.RETRY);
        assertThat(classifier.classify(new SQLNonTransientConnectionException("gone", "08003"))).isEqualTo(Verdict.RETRY);
    }

    @Test
    void aBatchFailureIsClassifiedByItsSqlState() {
        var batch = new BatchUpdateException("batch", "22001", 1406, new int[0]);
        assertThat(classifier.classify(batch)).isEqualTo(Verdict.DEAD_LETTER);
        assertThat(classifier.classify(new SQLIntegrityConstraintViolationException("dup", "23000", 1062)))
                .isEqualTo(Verdict.DEAD_LETTER);
        assertThat(classifier.classify(new SQLSyntaxErrorException("bad", "42000", 1064))).isEqualTo(Verdict.FATAL);
    }

    @Test
    void theCauseChainIsSearchedForTheFirstKnownFailure() {
        Exception wrapped = new RuntimeException("while writing", new SQLException("deadlock", "40001", 1213));
        assertThat(classifier.classify(wrapped)).isEqualTo(Verdict.RETRY);
    }

    @Test
    void anUnreachableDeadLetterTopicIsWaitedForWhateverTheBrokerSaid() {
        var unavailable = new DeadLetterUnavailableException(new TopicAuthorizationException("denied"));
        assertThat(classifier.classify(unavailable)).isEqualTo(Verdict.RETRY);
    }

    @Test
    void kafkaTimeoutsRetryAndAuthenticationFailuresStop() {
        assertThat(classifier.classify(new TimeoutException("metadata"))).isEqualTo(Verdict.RETRY);
        assertThat(classifier.classify(new IOException("reset"))).isEqualTo(Verdict.RETRY);
        assertThat(classifier.classify(new SaslAuthenticationException("bad password"))).isEqualTo(Verdict.FATAL);
    }

    @Test
    void anUnexpectedExceptionIsABugAndStops() {
        assertThat(classifier.classify(new NullPointerException())).isEqualTo(Verdict.FATAL);
    }
}
