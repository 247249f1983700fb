package io.agentpresence.model;

import static io.agentpresence.model.PresenceEventSamples.RECORD_TS;
import static io.agentpresence.model.PresenceEventSamples.USER;
import static io.agentpresence.model.PresenceEventSamples.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agentpresence.model.PresenceEventSamples.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published JSON Schema must say what the codec does. The shared samples are judged by their JSON alone; the
 * rules that need the record (key equals userId, ts at most 5 minutes ahead of the record timestamp, value size)
 * or the raw bytes (UTF-8, duplicate names, nesting depth, content after the object) are the codec's alone and
 * are tested in {@link PresenceEventCodecTest}.
 */
class PresenceEventSchemaTest {

    private static final String RESOURCE = "/presence-event.schema.json";
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static JsonNode schemaNode;
    private static Schema schema;

    private final PresenceEventCodec codec = new PresenceEventCodec();

    @BeforeAll
    static void loadSchemaFromTheClasspath() throws IOException {
        try (InputStream in = PresenceEventSchemaTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE + " on the classpath").isNotNull();
            schemaNode = new ObjectMapper().readTree(in);
        }
        schema = REGISTRY.getSchema(schemaNode);
    }

    @Test
    void theSchemaIsAValidDraft202012Schema() {
        Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));

        assertThat(metaSchema.validate(schemaNode)).isEmpty();
        assertThat(schemaNode.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.agentpresence.model.PresenceEventSamples#all")
    void theSchemaAndTheCodecAgree(Sample sample) {
        List<Error> errors = schema.validate(sample.json(), InputFormat.JSON);

        assertThat(codecAccepts(sample.key(), sample.json())).as("codec accepts").isEqualTo(sample.valid());
        assertThat(errors.isEmpty()).as("schema accepts; errors: %s", errors).isEqualTo(sample.valid());
    }

    @Test
    void theSchemaExamplesAreValidEvents() {
        List<JsonNode> examples = new ArrayList<>();
        schemaNode.path("examples").forEach(examples::add);

        assertThat(examples).isNotEmpty().allSatisfy(example -> {
            assertThat(schema.validate(example)).isEmpty();
            assertThat(codecAccepts(example.path("userId").asText(), example.toString())).isTrue();
        });
    }

    @Test
    void theSchemaStatesTheCodecLimits() {
        JsonNode properties = schemaNode.path("properties");
        List<String> statuses = new ArrayList<>();
        properties.path("status").path("enum").forEach(status -> {
            if (!status.isNull()) {
                statuses.add(status.asText());
            }
        });

        assertThat(statuses).containsExactlyInAnyOrderElementsOf(PresenceStatuses.DEFAULT.values());
        assertThat(properties.path("userId").path("maxLength").asInt()).isEqualTo(PresenceEventCodec.MAX_USER_ID_LENGTH);
        assertThat(properties.path("source").path("maxLength").asInt()).isEqualTo(PresenceEventCodec.MAX_SOURCE_LENGTH);
        assertThat(properties.path("ts").path("maximum").asLong()).isEqualTo(PresenceEventCodec.MAX_TS);
        assertThat(properties.path("ts").path("description").asText()).contains("5 minutes ahead of the record");
        assertThat(schemaNode.path("description").asText()).contains("must be the userId").contains("null value");
    }

    /** JSON the schema cannot tell from valid JSON; its descriptions say so, and the codec rejects it. */
    static Stream<Arguments> looserThanTheCodec() {
        return Stream.of(
                arguments(named("ts 1.0 (JSON Schema counts it as an integer)", event(USER, "online", "\"ts\":1.0")),
                        Rejection.INVALID_TS),
                arguments(named("ts 1e3", event(USER, "online", "\"ts\":1e3")), Rejection.INVALID_TS),
                arguments(named("a repeated userId (parsers keep the last)",
                        "{\"userId\":\"agent-42\",\"userId\":\"agent-42\",\"status\":\"online\"}"), Rejection.DUPLICATE_FIELD),
                arguments(named("65 levels of nesting in an unknown field",
                        event(USER, "online", "\"deep\":" + "[".repeat(64) + "]".repeat(64))), Rejection.MALFORMED_JSON));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("looserThanTheCodec")
    void theSchemaIsKnowinglyLooserOnWhatOnlyTheCodecSees(String json, Rejection codecVerdict) {
        MalformedEventException e = catchThrowableOfType(MalformedEventException.class,
                () -> codec.decode(utf8(USER), utf8(json), RECORD_TS));

        assertThat(schema.validate(json, InputFormat.JSON)).isEmpty();
        assertThat(e).isNotNull();
        assertThat(e.rejection()).isEqualTo(codecVerdict);
    }

    private boolean codecAccepts(String key, String json) {
        try {
            codec.decode(utf8(key), utf8(json), RECORD_TS);
            return true;
        } catch (MalformedEventException e) {
            return false;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
