package io.agentpresence.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:mysql://app:hunter2@db:3306/presence | jdbc:mysql://app:****@db:3306/presence",
        "jdbc:mysql://:hunter2@db/presence | jdbc:mysql://:****@db/presence",
        "jdbc:mysql://app:hun@ter2@db/presence | jdbc:mysql://app:****@db/presence",
        "jdbc:mysql:replication://app:hunter2@[db1:3306,db2:3306]/presence"
                + " | jdbc:mysql:replication://app:****@[db1:3306,db2:3306]/presence",
        "jdbc:mysql://db/presence?user=app&password=hunter2 | jdbc:mysql://db/presence?user=app&password=****",
        "jdbc:mysql://db/presence?password=hunter2&useSSL=true | jdbc:mysql://db/presence?password=****&useSSL=true",
        "jdbc:mysql://db/presence?PASSWORD=hunter2 | jdbc:mysql://db/presence?PASSWORD=****",
        "jdbc:mysql://db/presence?password1=hunter2&password2=hunter3&password3=hunter4"
                + " | jdbc:mysql://db/presence?password1=****&password2=****&password3=****",
        "jdbc:mysql://db/presence?trustCertificateKeyStorePassword=hunter2&clientCertificateKeyStorePassword=hunter3"
                + " | jdbc:mysql://db/presence?trustCertificateKeyStorePassword=****&clientCertificateKeyStorePassword=****",
        "jdbc:mysql://db/presence?ociConfigSecret=hunter2&accessToken=hunter3&sslKeyPassphrase=hunter4"
                + " | jdbc:mysql://db/presence?ociConfigSecret=****&accessToken=****&sslKeyPassphrase=****",
        "jdbc:mysql://db/presence;user=app;password=hunter2;ssl=true | jdbc:mysql://db/presence;user=app;password=****;ssl=true",
        "jdbc:mysql://(host=db,port=3306,user=app,password=hunter2)/presence"
                + " | jdbc:mysql://(host=db,port=3306,user=app,password=****)/presence",
        "jdbc:mysql://address=(host=db)(password=hunter2)(user=app)/presence"
                + " | jdbc:mysql://address=(host=db)(password=****)(user=app)/presence",
        "jdbc:mysql://db:3306/presence?user=app@example.com | jdbc:mysql://db:3306/presence?user=app@example.com",
        "jdbc:mysql://(host=db, user=app, password = hunter2)/presence"
                + " | jdbc:mysql://(host=db, user=app, password = ****)/presence",
        "jdbc:mysql://db/presence;password= hunter2 | jdbc:mysql://db/presence;password= ****",
    })
    void everyFormOfCredentialInAJdbcUrlIsMasked(String url, String masked) {
        assertThat(Secrets.mask(url)).isEqualTo(masked).doesNotContain("hunter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no secret here: host=db port=3306", "jdbc:mysql://db:3306/presence?useSSL=true", ""})
    void textWithoutCredentialsIsLeftAsItIs(String text) {
        assertThat(Secrets.mask(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sasl.jaas.config", "ssl.keystore.password", "ssl.key.password", "ssl.truststore.password",
        "ssl.keystore.key", "ssl.keystore.certificate.chain", "sasl.oauthbearer.client.credentials.client.secret",
        "sasl.oauthbearer.assertion.private.key.passphrase", "consumer.ssl.key.password",
        "main.consumer.ssl.keystore.certificate.chain", "my.plugin.api.token", "some.Password.value", "x.secret"})
    void kafkaOptionsThatHoldASecretAreRecognised(String name) {
        assertThat(Secrets.isSecretKafkaProperty(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"security.protocol", "sasl.mechanism", "fetch.min.bytes", "ssl.keystore.location",
        "ssl.keystore.type", "client.id"})
    void otherKafkaOptionsAreNotSecrets(String name) {
        assertThat(Secrets.isSecretKafkaProperty(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:mysql://app:hunter2@db/presence", "jdbc:mysql://db/presence?password1=hunter2",
        "jdbc:mysql://db/presence;password=hunter2", "jdbc:mysql://db/presence?apiToken=hunter2"})
    void theLoggedConfigurationMasksEveryFormOfTheDatabaseUrl(String url) {
        Map<String, String> m = new HashMap<>();
        m.put("db.url", url);

        assertThat(PresenceConsumerConfig.fromMap(m).describe()).doesNotContain("hunter2").contains("****");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sasl.jaas.config", "ssl.keystore.password", "ssl.key.password", "ssl.truststore.password",
        "sasl.oauthbearer.client.credentials.client.secret", "producer.ssl.key.password", "my.plugin.token"})
    void theLoggedConfigurationMasksEveryKafkaOptionHoldingASecret(String name) {
        Map<String, String> m = new HashMap<>();
        m.put("db.url", "jdbc:mysql://db/presence");
        m.put("kafka." + name, "hunter2");

        assertThat(PresenceConsumerConfig.fromMap(m).describe()).doesNotContain("hunter2")
                .contains("kafka." + name + " = ****");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://app:hunter2@db/presence", "postgres://db/presence?password=hunter2"})
    void aRejectedDatabaseUrlIsReportedMasked(String url) {
        Map<String, String> m = new HashMap<>();
        m.put("db.url", url);

        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PRESENCE_DB_URL (db.url): invalid value")
                .hasMessageNotContaining("hunter2");
    }
}
