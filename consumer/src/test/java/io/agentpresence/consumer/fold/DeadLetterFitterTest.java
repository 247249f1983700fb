package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class DeadLetterFitterTest {

    @Test
    void theFoldsProducerCutsItsDeadLettersToFitAndLeavesItsOtherOutputAlone() {
        Properties streams = new Properties();
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "fold-test");
        streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        DeadLetterFitter.install(streams, "agent-presence.dlq", 100);
        DeadLetterFitter fitter = new DeadLetterFitter();
        // the settings Kafka Streams gives its producer, which hands them on to its interceptors
        fitter.configure(new StreamsConfig(streams).getProducerConfigs("fold-test-producer"));
        byte[] key = "u1".getBytes(StandardCharsets.UTF_8);
        byte[] large = new byte[1_000];

        ProducerRecord<byte[], byte[]> letter = fitter.onSend(new ProducerRecord<>("agent-presence.dlq", key, large));
        ProducerRecord<byte[], byte[]> event = fitter.onSend(new ProducerRecord<>("agent-presence", key, large));

        assertThat(letter.value()).hasSize(100);
        assertThat(new String(letter.headers().lastHeader(PresenceTopics.HEADER_VALUE_SIZE).value(),
                StandardCharsets.UTF_8)).isEqualTo("1000");
        assertThat(event.value()).hasSize(1_000);
        assertThat(event.headers().lastHeader(PresenceTopics.HEADER_VALUE_TRUNCATED)).isNull();
    }
}
