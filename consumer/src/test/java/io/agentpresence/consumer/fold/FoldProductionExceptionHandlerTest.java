package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.ops.FoldMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FoldProductionExceptionHandlerTest {

    private static final ProducerRecord<byte[], byte[]> OUTPUT = new ProducerRecord<>("agent-presence.dlq",
            "u1".getBytes(StandardCharsets.UTF_8), new byte[16]);

    private MeterRegistry registry;
    private ProductionExceptionHandler handler;

    /** The handler as Kafka Streams makes it, from the settings the fold installs it with. */
    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        Properties streams = new Properties();
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "fold-test");
        streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        FoldProductionExceptionHandler.install(streams, new FoldMetrics(registry)::dropped);
        handler = new StreamsConfig(streams).productionExceptionHandler();
    }

    @Test
    void aRecordTheBrokerRefusesAsTooLargeIsSkippedAndCounted() {
        assertThat(result(new RecordTooLargeException("1573378 bytes"))).isEqualTo(Result.RESUME);
        assertThat(dropped("too-large")).isEqualTo(1);
    }

    @Test
    void aRecordTheTopicRefusesAsInvalidIsSkippedAndCounted() {
        assertThat(result(new InvalidRecordException("a compacted topic needs a key"))).isEqualTo(Result.RESUME);
        assertThat(dropped("invalid")).isEqualTo(1);
    }

    @Test
    void aFailureThatPassesIsRetriedAndNotCounted() {
        assertThat(result(new TimeoutException("expired"))).isEqualTo(Result.RETRY);
        assertThat(result(new NotEnoughReplicasException("1 of 2"))).isEqualTo(Result.RETRY);
        assertThat(dropped("too-large") + dropped("invalid")).isZero();
    }

    @Test
    void aFailureThatIsNotTheRecordsStopsTheFold() {
        assertThat(result(new TopicAuthorizationException("denied"))).isEqualTo(Result.FAIL);
        assertThat(handler.handleSerializationError(context(), OUTPUT, new IllegalStateException("bug"),
                SerializationExceptionOrigin.VALUE).result()).isEqualTo(Result.FAIL);
        assertThat(dropped("too-large") + dropped("invalid")).isZero();
    }

    private Result result(Exception exception) {
        return handler.handleError(context(), OUTPUT, exception).result();
    }

    private double dropped(String reason) {
        return registry.get(FoldMetrics.RECORDS_DROPPED).tag("reason", reason).counter().count();
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "agent-presence.devices";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 7;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return PresenceStage.DEAD_LETTER_SINK;
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }
}
