package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Producer timeouts follow {@code --timeout} and stay valid for Kafka, whatever {@code -X} overrides. */
class KafkaOptionsTest {

    private static KafkaOptions parse(String... args) {
        SetCommand set = new SetCommand();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "agent-1";
        all[args.length + 1] = "online";
        new CommandLine(set).parseArgs(all);
        return set.kafka;
    }

    @Test
    void defaultsToTheLocalBrokerAndTheDefaultTopicWhenTheEnvironmentSaysNothing() {
        assumeTrue(System.getenv("PRESENCE_BOOTSTRAP_SERVERS") == null && System.getenv("PRESENCE_TOPIC") == null);

        KafkaOptions options = parse();

        assertThat(options.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(options.topic()).isEqualTo("agent-presence");
        assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void theTimeoutBoundsBlockingRequestsAndDelivery() {
        Map<String, Object> config = parse("--timeout=2s", "--bootstrap-servers=b:9092").producerConfig();

        assertThat(config).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000L)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2005);
    }

    @Test
    void deliveryTimeoutCoversAnOverriddenLingerSoKafkaAcceptsTheConfig() {
        Map<String, Object> config = parse("--timeout=2s", "-X", "linger.ms=1000").producerConfig();

        assertThat(config).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "1000")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
    }

    @Test
    void passThroughPropertiesWinAndKeepEqualsSignsInTheirValues() {
        Map<String, Object> config = parse("-X", "security.protocol=SASL_SSL",
                "-X", "sasl.jaas.config=Plain required username=\"u\" password=\"p=q\";",
                "-X", "max.block.ms=500").producerConfig();

        assertThat(config).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "Plain required username=\"u\" password=\"p=q\";")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500");
    }

    @Test
    void theWaitBoundIsMetadataBlockingPlusDelivery() {
        assertThat(parse("--timeout=2s").sendBound()).isEqualTo(Duration.ofMillis(2000 + 2005));
    }
}
