package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress shows at most one line a second, and none at all for a run shorter than a second. */
class ProgressTest {

    private static final long MS = 1_000_000;

    @Test
    void aShortRunPrintsNothingAndALongOnePrintsOncePerSecondWithTheRate() {
        AtomicLong clock = new AtomicLong(0);
        StringWriter err = new StringWriter();
        Progress progress = new Progress(new PrintWriter(err), 1000, clock::get);

        for (int i = 1; i <= 100; i++) {
            clock.set(i * 9 * MS);
            progress.update(i);
        }
        assertThat(err.toString()).isEmpty();

        clock.set(1000 * MS);
        progress.update(500);
        clock.set(1500 * MS);
        progress.update(700);
        clock.set(2000 * MS);
        progress.update(1000);

        assertThat(err.toString().lines().toList())
                .containsExactly("sent 500/1000 (500 events/s)", "sent 1000/1000 (500 events/s)");
    }
}
