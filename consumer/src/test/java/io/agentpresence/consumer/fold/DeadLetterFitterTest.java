package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.error.DeadLetterCopy;
import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class DeadLetterFitterTest {

    private static final String DEAD_LETTERS = "agent-presence.dlq";
    private static final byte[] KEY = "u1".getBytes(StandardCharsets.UTF_8);

    @Test
    void theFoldsProducerCutsItsDeadLettersToFitAndLeavesItsOtherOutputAlone() {
        DeadLetterFitter fitter = fitter(new Properties());
        byte[] large = new byte[1_000];

        ProducerRecord<byte[], byte[]> letter = fitter.onSend(new ProducerRecord<>(DEAD_LETTERS, KEY, large));
        ProducerRecord<byte[], byte[]> event = fitter.onSend(new ProducerRecord<>("agent-presence", KEY, large));

        assertThat(letter.value()).hasSize(100);
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo("1000");
        assertThat(event.value()).hasSize(1_000);
        assertThat(event.headers().lastHeader(PresenceTopics.HEADER_VALUE_TRUNCATED)).isNull();
    }

    @Test
    void aCutDeadLetterWithinTheProducersMaxRequestSizeKeepsItsOriginalHeaders() {
        ProducerRecord<byte[], byte[]> letter = fitterWithMaxRequestSize(4_000)
                .onSend(letter(new byte[1_000], new byte[3_000]));

        assertThat(letter.value()).hasSize(100);
        assertThat(letter.headers().lastHeader("pad").value()).hasSize(3_000);
        assertThat(letter.headers().lastHeader(PresenceTopics.HEADER_HEADERS_DROPPED)).isNull();
    }

    @Test
    void aDeadLetterWhoseHeadersWouldNotFitTheProducersMaxRequestSizeIsSentWithoutThemOrItsValue() {
        ProducerRecord<byte[], byte[]> letter = fitterWithMaxRequestSize(4_000)
                .onSend(letter(new byte[10], new byte[4_000]));

        assertThat(letter.value()).isEmpty();
        assertThat(letter.key()).isEqualTo(KEY);
        assertThat(letter.headers().lastHeader("pad")).isNull();
        assertThat(letter.headers().lastHeader("trace")).isNull();
        assertThat(header(letter, PresenceTopics.HEADER_HEADERS_DROPPED)).isEqualTo("2");
        assertThat(header(letter, PresenceTopics.HEADER_REASON)).isEqualTo("not-json");
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo("10");
    }

    @Test
    void withoutAMaxRequestSizeSetTheFitterHoldsToTheProducersDefault() {
        DeadLetterFitter fitter = fitter(new Properties());

        ProducerRecord<byte[], byte[]> small = fitter.onSend(letter(new byte[10], new byte[1_000_000]));
        ProducerRecord<byte[], byte[]> large = fitter.onSend(letter(new byte[10], new byte[1_048_576]));

        assertThat(small.headers().lastHeader("pad")).isNotNull();
        assertThat(large.headers().lastHeader("pad")).isNull();
    }

    @Test
    void theSizeTheFitterCountsIsNeverBelowTheProducersOwnEstimate() {
        ProducerRecord<byte[], byte[]> letter = letter(new byte[300], new byte[200]);
        ProducerRecord<byte[], byte[]> tombstone = new ProducerRecord<>(DEAD_LETTERS, null, null);

        for (ProducerRecord<byte[], byte[]> record : List.of(letter, tombstone)) {
            assertThat(DeadLetterCopy.sizeUpperBound(record)).isGreaterThanOrEqualTo(
                    AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.MAGIC_VALUE_V2, CompressionType.NONE,
                            record.key(), record.value(), record.headers().toArray()));
        }
    }

    /** A fitter as Kafka Streams' producer makes it: values cut to 100 bytes, with {@code streams}' settings. */
    private static DeadLetterFitter fitter(Properties streams) {
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "fold-test");
        streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        DeadLetterFitter.install(streams, DEAD_LETTERS, 100);
        DeadLetterFitter fitter = new DeadLetterFitter();
        // the settings Kafka Streams gives its producer, which hands them on to its interceptors
        fitter.configure(new StreamsConfig(streams).getProducerConfigs("fold-test-producer"));
        return fitter;
    }

    /** The same, with {@code max.request.size} set as {@code kafka.max.request.size} passes it on. */
    private static DeadLetterFitter fitterWithMaxRequestSize(int bytes) {
        Properties streams = new Properties();
        streams.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(bytes));
        return fitter(streams);
    }

    /** A dead letter as the fold forwards it: the original headers ({@code pad} among them), then its own. */
    private static ProducerRecord<byte[], byte[]> letter(byte[] value, byte[] pad) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(DEAD_LETTERS, KEY, value);
        letter.headers().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        letter.headers().add("pad", pad);
        letter.headers().add(PresenceTopics.HEADER_REASON, "not-json".getBytes(StandardCharsets.UTF_8));
        return letter;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
