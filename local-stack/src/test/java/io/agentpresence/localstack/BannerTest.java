package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BannerTest {

    @Test
    void sqlCommandForTheEmbeddedDatabase() {
        assertThat(Banner.sqlCommand("jdbc:mysql://127.0.0.1:3307/presence", "root", ""))
                .isEqualTo("mariadb -h127.0.0.1 -P3307 -uroot presence -e 'SELECT * FROM agent_presences'");
    }

    @Test
    void sqlCommandAsksForAPasswordAndDropsUrlParameters() {
        assertThat(Banner.sqlCommand("jdbc:mysql://db.local/presence?useSSL=true", "app", "secret"))
                .isEqualTo("mariadb -hdb.local -uapp -p presence -e 'SELECT * FROM agent_presences'");
    }

    @Test
    void sqlCommandFallsBackToTheQueryForUnusualUrls() {
        assertThat(Banner.sqlCommand("jdbc:mysql:loadbalance://a:1,b:2/presence", "root", ""))
                .startsWith("SELECT * FROM agent_presences");
    }

    @Test
    void cliCommandNamesTheTopicOnlyWhenItIsNotTheDefault() {
        assertThat(Banner.cliCommand("127.0.0.1:9092", "agent-presence"))
                .isEqualTo("bin/presence set agent-42 online "
                        + "--bootstrap-servers 127.0.0.1:9092");
        assertThat(Banner.cliCommand("127.0.0.1:9092", "dev")).endsWith(" --topic dev");
    }

    @Test
    void deviceCommandNamesTheDeviceTopicOnlyWhenItIsNotTheDefault() {
        assertThat(Banner.deviceCommand("127.0.0.1:9092", "agent-presence.devices"))
                .isEqualTo("bin/presence set agent-7 online --device laptop "
                        + "--bootstrap-servers 127.0.0.1:9092");
        assertThat(Banner.deviceCommand("127.0.0.1:9092", "dev.devices")).endsWith(" --device-topic dev.devices");
    }
}
