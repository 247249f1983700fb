package io.agentpresence.model;

import static io.agentpresence.model.PresenceEventSamples.EMOJI;
import static io.agentpresence.model.PresenceEventSamples.RECORD_TS;
import static io.agentpresence.model.PresenceEventSamples.USER;
import static io.agentpresence.model.PresenceEventSamples.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.agentpresence.model.PresenceEventSamples.Sample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PresenceEventCodecTest {

    private static final long SKEW_MS = PresenceEventCodec.DEFAULT_MAX_FUTURE_SKEW.toMillis();

    private final PresenceEventCodec codec = new PresenceEventCodec();

    @Test
    void anEncodedEventDecodesToTheSameEvent() throws Exception {
        PresenceEvent event = new PresenceEvent("agent-" + EMOJI, "busy", RECORD_TS - 1_000, "openclaw-plugin");

        byte[] value = codec.encode(event);

        assertThat(codec.decode(PresenceEventCodec.key(event.userId()), value, RECORD_TS)).isEqualTo(event);
    }

    @Test
    void encodingWritesTheV1FieldsAndLeavesOutAMissingSource() throws Exception {
        byte[] value = codec.encode(new PresenceEvent(USER, "online", 1_764_284_615_000L, null));

        assertThat(new String(value, StandardCharsets.UTF_8))
                .isEqualTo("{\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":1764284615000}");
    }

    @Test
    void heartbeatsAndDevicesSurviveTheRoundTrip() throws Exception {
        PresenceEvent heartbeat = PresenceEvent.heartbeat(USER, RECORD_TS - 1_000, "plugin", "laptop");
        PresenceEvent withDevice = new PresenceEvent(USER, "away", RECORD_TS - 500, null).withDevice("phone " + EMOJI);

        assertThat(codec.decode(PresenceEventCodec.key(USER), codec.encode(heartbeat), RECORD_TS)).isEqualTo(heartbeat);
        assertThat(codec.decode(PresenceEventCodec.key(USER), codec.encode(withDevice), RECORD_TS)).isEqualTo(withDevice);
    }

    @Test
    void aHeartbeatIsWrittenWithItsKindAndNoStatus() throws Exception {
        byte[] value = codec.encode(PresenceEvent.heartbeat(USER, 1_764_284_615_000L, null, "laptop"));

        assertThat(new String(value, StandardCharsets.UTF_8))
                .isEqualTo("{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"ts\":1764284615000,\"device\":\"laptop\"}");
    }

    @Test
    void aV1EventDecodesAsAStatusEventWithoutDevice() throws Exception {
        PresenceEvent event = codec.decode(PresenceEventCodec.key(USER),
                "{\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":1}".getBytes(StandardCharsets.UTF_8), RECORD_TS);

        assertThat(event.kind()).isEqualTo(PresenceEvent.Kind.STATUS);
        assertThat(event.device()).isNull();
        assertThat(event.isHeartbeat()).isFalse();
    }

    @Test
    void aStatusEventCannotBeBuiltWithoutAStatus() {
        assertThatThrownBy(() -> new PresenceEvent(PresenceEvent.Kind.STATUS, USER, null, 1, null, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aHeartbeatConfirmingAStatusSurvivesTheRoundTrip() throws Exception {
        PresenceEvent heartbeat = PresenceEvent.heartbeat(USER, "busy", RECORD_TS - 1_000, "presence-fold");

        byte[] value = codec.encode(heartbeat);

        assertThat(new String(value, StandardCharsets.UTF_8)).startsWith("{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"status\":\"busy\"");
        assertThat(codec.decode(PresenceEventCodec.key(USER), value, RECORD_TS)).isEqualTo(heartbeat);
    }

    @Test
    void encodingRefusesAnInvalidEvent() {
        assertRejected(() -> codec.encode(new PresenceEvent(USER, "dancing", RECORD_TS, null)), Rejection.UNKNOWN_STATUS);
        assertRejected(() -> codec.encode(new PresenceEvent(" " + USER, "online", RECORD_TS, null)), Rejection.INVALID_USER_ID);
        assertRejected(() -> codec.encode(new PresenceEvent(USER, "online", PresenceEventCodec.MAX_TS, null)),
                Rejection.TS_IN_FUTURE);
    }

    @Test
    void aMissingTsTakesTheRecordTimestamp() throws Exception {
        assertThat(decode(USER, "{\"userId\":\"agent-42\",\"status\":\"online\"}").ts()).isEqualTo(RECORD_TS);
        assertThat(decode(USER, "{\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":null}").ts()).isEqualTo(RECORD_TS);
    }

    @Test
    void aMissingTsWithoutARecordTimestampIsRejected() {
        byte[] value = utf8("{\"userId\":\"agent-42\",\"status\":\"online\"}");

        assertRejected(() -> codec.decode(utf8(USER), value, -1), Rejection.INVALID_TS);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String value = "{\"v\":2,\"meta\":{\"a\":{\"b\":[1,{\"c\":null},[true, 1.5e3]]}},\"userId\":\"agent-42\","
                + "\"tags\":[[],{}],\"status\":\"away\",\"ts\":7,\"source\":\"cli\",\"more\":\"\\u0000\"}";

        assertThat(decode(USER, value)).isEqualTo(new PresenceEvent(USER, "away", 7, "cli"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.agentpresence.model.PresenceEventSamples#valid")
    void validSamplesDecode(Sample sample) throws Exception {
        PresenceEvent event = codec.decode(utf8(sample.key()), utf8(sample.json()), RECORD_TS);

        assertThat(event.userId()).isEqualTo(sample.key());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.agentpresence.model.PresenceEventSamples#invalid")
    void invalidSamplesAreRejectedWithTheirReason(Sample sample) {
        assertRejected(() -> codec.decode(utf8(sample.key()), utf8(sample.json()), RECORD_TS), sample.expected());
    }

    static Stream<Arguments> malformedValues() {
        String valid = event(USER, "online", null);
        return Stream.of(
                arguments(named("not JSON", utf8("agent-42 is online"))),
                arguments(named("empty", new byte[0])),
                arguments(named("only whitespace", utf8(" \n\t"))),
                arguments(named("truncated object", utf8("{\"userId\":\"agent-42\",\"status\":\"online\""))),
                arguments(named("single-quoted names", utf8("{'userId':'agent-42','status':'online'}"))),
                arguments(named("a comment", utf8("/* hi */" + valid))),
                arguments(named("NaN in an unknown field", utf8(event(USER, "online", "\"x\":NaN")))),
                arguments(named("ts with a leading zero", utf8(event(USER, "online", "\"ts\":0123")))),
                arguments(named("an unescaped control character in a string", utf8(event(USER, "online", "\"x\":\"a\tb\"")))),
                arguments(named("garbage after the object", utf8(valid + " x"))),
                arguments(named("a second object after the object", utf8(valid + "{}"))),
                arguments(named("a stray bracket after the object", utf8(valid + "]"))),
                arguments(named("10,000 levels of nesting in an unknown field",
                        utf8(event(USER, "online", "\"deep\":" + "[".repeat(10_000) + "]".repeat(10_000))))),
                arguments(named("65 levels of nesting, one more than allowed",
                        utf8(event(USER, "online", "\"deep\":" + "[".repeat(64) + "]".repeat(64))))),
                arguments(named("byte 0xFF in userId", withBytes("{\"userId\":\"agent", 0xFF))),
                arguments(named("a lone continuation byte in userId", withBytes("{\"userId\":\"agent", 0x80))),
                arguments(named("a truncated 3-byte sequence in userId", withBytes("{\"userId\":\"agent", 0xE2, 0x82))),
                arguments(named("an overlong '/' in userId", withBytes("{\"userId\":\"", 0xC0, 0xAF))),
                arguments(named("a UTF-8-encoded surrogate in an unknown field", withBytes("{\"x\":\"", 0xED, 0xA0, 0x80))),
                arguments(named("a code point above U+10FFFF in an unknown field",
                        withBytes("{\"x\":\"", 0xF5, 0x80, 0x80, 0x80))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedValues")
    void malformedJsonIsRejected(byte[] value) {
        assertRejected(() -> codec.decode(utf8(USER), value, RECORD_TS), Rejection.MALFORMED_JSON);
    }

    @Test
    void nestingJustUnderTheLimitIsAccepted() throws Exception {
        String value = event(USER, "online", "\"deep\":" + "[".repeat(63) + "]".repeat(63));

        assertThat(decode(USER, value).userId()).isEqualTo(USER);
    }

    @Test
    void aRepeatedFieldIsRejected() {
        assertRejected(() -> decode(USER, "{\"userId\":\"agent-42\",\"userId\":\"agent-43\",\"status\":\"online\"}"),
                Rejection.DUPLICATE_FIELD);
        assertRejected(() -> decode(USER, event(USER, "online", "\"status\":\"online\"")), Rejection.DUPLICATE_FIELD);
        assertRejected(() -> decode(USER, event(USER, "online", "\"x\":1,\"x\":2")), Rejection.DUPLICATE_FIELD);
    }

    @Test
    void aValueAtTheSizeLimitIsAcceptedAndOneByteMoreIsRejected() throws Exception {
        String atLimit = paddedTo(PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES);
        String overLimit = paddedTo(PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES + 1);

        assertThat(decode(USER, atLimit).userId()).isEqualTo(USER);
        assertRejected(() -> decode(USER, overLimit), Rejection.VALUE_TOO_LARGE);
    }

    @Test
    void tsAtTheFutureSkewLimitIsAcceptedAndOneMillisecondMoreIsRejected() throws Exception {
        long limit = RECORD_TS + SKEW_MS;

        assertThat(decode(USER, event(USER, "online", "\"ts\":" + limit)).ts()).isEqualTo(limit);
        assertRejected(() -> decode(USER, event(USER, "online", "\"ts\":" + (limit + 1))), Rejection.TS_IN_FUTURE);
    }

    @Test
    void aRecordTimestampNearLongMaxDoesNotPutEveryTsInTheFuture() throws Exception {
        byte[] value = utf8(event(USER, "online", "\"ts\":5"));

        assertThat(codec.decode(utf8(USER), value, Long.MAX_VALUE).ts()).isEqualTo(5);
    }

    @Test
    void aTsAtMaxTsIsAcceptedWhenTheRecordIsThatLate() throws Exception {
        byte[] value = utf8(event(USER, "online", "\"ts\":" + PresenceEventCodec.MAX_TS));

        assertThat(codec.decode(utf8(USER), value, PresenceEventCodec.MAX_TS).ts()).isEqualTo(PresenceEventCodec.MAX_TS);
    }

    static Stream<Arguments> badKeys() {
        return Stream.of(
                arguments(named("no key", null), Rejection.MISSING_KEY),
                arguments(named("a key that is not UTF-8", new byte[] {'a', (byte) 0xC3, '('}), Rejection.INVALID_KEY),
                arguments(named("a key with an encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                        Rejection.INVALID_KEY),
                arguments(named("another user's key", utf8("agent-43")), Rejection.KEY_MISMATCH),
                arguments(named("the key in another case", utf8("Agent-42")), Rejection.KEY_MISMATCH),
                arguments(named("the key with a trailing space", utf8("agent-42 ")), Rejection.KEY_MISMATCH),
                arguments(named("an empty key", new byte[0]), Rejection.KEY_MISMATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeys")
    void theKeyMustBeTheUserIdInUtf8(byte[] key, Rejection expected) {
        byte[] value = utf8(event(USER, "online", null));

        assertRejected(() -> codec.decode(key, value, RECORD_TS), expected);
    }

    @Test
    void aTombstoneKeyIsTheUserId() throws Exception {
        assertThat(codec.decodeTombstoneKey(utf8(USER))).isEqualTo(USER);
        assertThat(codec.decodeTombstoneKey(utf8(EMOJI.repeat(191)))).isEqualTo(EMOJI.repeat(191));
    }

    static Stream<Arguments> badTombstoneKeys() {
        return Stream.of(
                arguments(named("no key", null), Rejection.MISSING_KEY),
                arguments(named("a key that is not UTF-8", new byte[] {(byte) 0xFF}), Rejection.INVALID_KEY),
                arguments(named("an empty key", new byte[0]), Rejection.INVALID_USER_ID),
                arguments(named("a blank key", utf8("  ")), Rejection.INVALID_USER_ID),
                arguments(named("a key with a trailing space", utf8("agent-42 ")), Rejection.INVALID_USER_ID),
                arguments(named("a key with a control character", utf8("agent\u000042")), Rejection.INVALID_USER_ID),
                arguments(named("a key of 192 characters", utf8("u".repeat(192))), Rejection.USER_ID_TOO_LONG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTombstoneKeys")
    void aTombstoneKeyIsValidatedLikeAUserId(byte[] key, Rejection expected) {
        assertRejected(() -> codec.decodeTombstoneKey(key), expected);
    }

    @Test
    void configuredStatusesReplaceTheDefaultOnes() throws Exception {
        PresenceEventCodec custom = new PresenceEventCodec(PresenceStatuses.parse("available, dnd"),
                PresenceEventCodec.DEFAULT_MAX_FUTURE_SKEW, PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES);

        assertThat(custom.decode(utf8(USER), utf8(event(USER, "dnd", null)), RECORD_TS).status()).isEqualTo("dnd");
        assertRejected(() -> custom.decode(utf8(USER), utf8(event(USER, "online", null)), RECORD_TS),
                Rejection.UNKNOWN_STATUS);
    }

    @Test
    void theExceptionMessageStartsWithTheRejectionCode() {
        MalformedEventException e = new MalformedEventException(Rejection.KEY_MISMATCH, "details");

        assertThat(e.getMessage()).isEqualTo("key-mismatch: details");
        assertThat(e.rejection()).isEqualTo(Rejection.KEY_MISMATCH);
    }

    @Test
    void rejectionCodesAreDistinctLowercaseWords() {
        List<String> codes = Stream.of(Rejection.values()).map(Rejection::code).toList();

        assertThat(codes).doesNotHaveDuplicates().allMatch(code -> code.matches("[a-z]+(-[a-z0-9]+)*"));
    }

    @Test
    void aValueReadsTheSameWhateverTheThreadReadBeforeIt() throws Exception {
        // one parser per thread reads value after value: none may leave it halfway through anything
        List<byte[]> before = new ArrayList<>();
        malformedValues().forEach(arguments -> before.add((byte[]) ((Named<?>) arguments.get()[0]).getPayload()));
        PresenceEventSamples.all().forEach(sample -> before.add(utf8(sample.json())));
        String valid = event(USER, "online", null);
        before.add(utf8(valid + " \n\t "));
        before.add(utf8(valid + " 12"));
        before.add(utf8(event(USER, "online", "\"unknown\":{\"a\":[1,2,{\"b\":\"c\"}]},\"x\":123")));
        before.add(utf8(event(USER, "online", "\"unknown\":{\"a\":[1,2")));
        before.add(utf8(event(USER, "online", "\"ts\":12")));
        before.add(utf8("{\"userId\":\"agent-42\",\"status\":\"onl"));
        before.add(utf8("tru"));
        byte[] next = utf8("{\"userId\":\"agent-7\",\"status\":\"away\",\"ts\":5,\"source\":\"cli\"}");

        for (byte[] previous : before) {
            try {
                codec.decode(utf8(USER), previous, RECORD_TS);
            } catch (MalformedEventException expected) {
                // most of them are bad: what matters is the value after
            }
            assertThat(codec.decode(utf8("agent-7"), next, RECORD_TS)).as("after %s", new String(previous, StandardCharsets.UTF_8))
                    .isEqualTo(new PresenceEvent("agent-7", "away", 5, "cli"));
        }
    }

    @Test
    void anIncompleteValueIsMalformedAndAScalarIsNotAnObject() {
        assertRejected(() -> decode(USER, "{\"userId\":\"agent-42\",\"status\":\"onl"), Rejection.MALFORMED_JSON);
        assertRejected(() -> decode(USER, "{\"userId\":\"agent-42\",\"x\":[1,{"), Rejection.MALFORMED_JSON);
        assertRejected(() -> decode(USER, "{\"userId\":\"agent-42\",\"ts\":12"), Rejection.MALFORMED_JSON);
        assertRejected(() -> decode(USER, "12"), Rejection.NOT_AN_OBJECT);
        assertRejected(() -> decode(USER, "tru"), Rejection.MALFORMED_JSON);
    }

    static Stream<Arguments> asciiTextAtItsLimits() {
        return Stream.of(
                arguments(named("a userId of 191 ASCII characters", "u".repeat(191)), "online-cli", null),
                arguments(named("a userId of 192 ASCII characters", "u".repeat(192)), "cli", Rejection.USER_ID_TOO_LONG),
                arguments(named("a userId with a leading space", " agent-42"), "cli", Rejection.INVALID_USER_ID),
                arguments(named("a userId with a trailing space", "agent-42 "), "cli", Rejection.INVALID_USER_ID),
                arguments(named("a userId of spaces", "   "), "cli", Rejection.INVALID_USER_ID),
                arguments(named("a userId with DEL", "agent\u007f42"), "cli", Rejection.INVALID_USER_ID),
                arguments(named("a userId with a C1 control", "agent\u008542"), "cli", Rejection.INVALID_USER_ID),
                arguments(named("a source of 64 ASCII characters", USER), "s".repeat(64), null),
                arguments(named("a source of 65 ASCII characters", USER), "s".repeat(65), Rejection.SOURCE_TOO_LONG),
                arguments(named("a source with DEL", USER), "cli\u007f", Rejection.INVALID_SOURCE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("asciiTextAtItsLimits")
    void asciiTextIsHeldToTheSameLimitsAsAnyOther(String userId, String source, Rejection expected) throws Exception {
        // the key equals the userId, so only the text rules decide
        String value = event(userId, "online", "\"source\":\"" + source + "\"");
        if (expected == null) {
            assertThat(decode(userId, value).source()).isEqualTo(source);
        } else {
            assertRejected(() -> decode(userId, value), expected);
        }
    }

    private PresenceEvent decode(String key, String value) throws MalformedEventException {
        return codec.decode(utf8(key), utf8(value), RECORD_TS);
    }

    private interface Decoding {
        Object run() throws MalformedEventException;
    }

    /** Checks the reason and that the message, which ends up in logs and DLQ headers, leads with its code. */
    private static void assertRejected(Decoding decoding, Rejection expected) {
        MalformedEventException e = catchThrowableOfType(MalformedEventException.class, decoding::run);

        assertThat(e).as("expected a %s rejection", expected.code()).isNotNull();
        assertThat(e.rejection()).as(e.getMessage()).isEqualTo(expected);
        assertThat(e.getMessage()).startsWith(expected.code() + ": ");
    }

    /** A valid event whose unknown {@code pad} field brings the value to exactly {@code bytes} bytes. */
    private static String paddedTo(int bytes) {
        String empty = event(USER, "online", "\"pad\":\"\"");
        return event(USER, "online", "\"pad\":\"" + "p".repeat(bytes - empty.length()) + "\"");
    }

    /** {@code prefix}, then raw bytes, then the rest of a valid event, so only the bytes are wrong. */
    private static byte[] withBytes(String prefix, int... bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(prefix));
        for (int b : bytes) {
            out.write(b);
        }
        String rest = prefix.startsWith("{\"userId\"") ? "\",\"status\":\"online\"}" : "\",\"userId\":\"agent-42\",\"status\":\"online\"}";
        out.writeBytes(utf8(rest));
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
