package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code presence-dev --help} names every component it starts and every directory it keeps, with their size. */
class LocalStackHelpTest {

    @Test
    void helpMentionsTheFoldAndItsStateInTheDataDirectory() {
        String help = LocalStack.commandLine().getUsageMessage();

        assertThat(help).contains("the fold", "DIR/kafka, DIR/mariadb, DIR/fold-state", "about 400 MB");
    }
}
