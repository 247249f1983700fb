package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's own checks, which need neither Kafka nor a database. */
class ConsumerAppTest {

    @Test
    void aLockBudgetThatIsNotAPositiveDurationIsABadUsage() {
        for (String bad : List.of("0s", "PT-5S", "soon")) {
            ConsumerCommand rebuild = ConsumerCommand.run("rebuild", "--lock-budget", bad);

            assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(2);
            assertThat(rebuild.err()).contains("expected a positive duration such as 10s, not '" + bad + "'");
        }
    }
}
