package io.agentpresence.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void theGroupConsumerNeverResetsAPositionByItselfWhateverTheKafkaPropertiesSay() {
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "db.url", "jdbc:mysql://127.0.0.1:3306/presence", "kafka.auto.offset.reset", "earliest"));

        // the stored positions decide where a partition continues, and a loss is counted, never skipped silently
        assertThat(KafkaClients.groupConsumer(config)).containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    }
}
