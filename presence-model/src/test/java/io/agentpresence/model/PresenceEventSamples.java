package io.agentpresence.model;

import static io.agentpresence.model.Rejection.DEVICE_TOO_LONG;
import static io.agentpresence.model.Rejection.INVALID_DEVICE;
import static io.agentpresence.model.Rejection.INVALID_KIND;
import static io.agentpresence.model.Rejection.INVALID_SOURCE;
import static io.agentpresence.model.Rejection.INVALID_STATUS;
import static io.agentpresence.model.Rejection.INVALID_TS;
import static io.agentpresence.model.Rejection.INVALID_USER_ID;
import static io.agentpresence.model.Rejection.MISSING_STATUS;
import static io.agentpresence.model.Rejection.MISSING_USER_ID;
import static io.agentpresence.model.Rejection.NOT_AN_OBJECT;
import static io.agentpresence.model.Rejection.SOURCE_TOO_LONG;
import static io.agentpresence.model.Rejection.UNKNOWN_STATUS;
import static io.agentpresence.model.Rejection.USER_ID_TOO_LONG;

import java.util.stream.Stream;

/**
 * Event values that are judged by their JSON alone, shared by the codec test (exact rejection) and the schema
 * test (schema and codec agree). Each is decoded with a key equal to its userId and a record timestamp of
 * {@link #RECORD_TS}, so neither the key nor the future-skew rule decides any of them.
 */
final class PresenceEventSamples {

    static final String USER = "agent-42";
    static final long RECORD_TS = 1_764_284_615_123L;
    static final String EMOJI = "\uD83E\uDD16"; // one code point, two UTF-16 chars

    /** One value; {@code expected} is null when the event is valid. Java strings hold JSON text, escapes included. */
    record Sample(String name, String key, String json, Rejection expected) {
        boolean valid() {
            return expected == null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private PresenceEventSamples() {
    }

    static Stream<Sample> all() {
        return Stream.concat(valid(), invalid());
    }

    static Stream<Sample> valid() {
        return Stream.of(
                ok("all four fields", USER, "{\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":1764284615000,\"source\":\"cli\"}"),
                ok("only the required fields", USER, "{\"userId\":\"agent-42\",\"status\":\"away\"}"),
                ok("ts and source null", USER, "{\"userId\":\"agent-42\",\"status\":\"busy\",\"ts\":null,\"source\":null}"),
                ok("ts zero", USER, "{\"userId\":\"agent-42\",\"status\":\"offline\",\"ts\":0}"),
                ok("empty source", USER, "{\"userId\":\"agent-42\",\"status\":\"online\",\"source\":\"\"}"),
                ok("source of 64 characters", USER, event(USER, "online", "\"source\":\"" + "s".repeat(64) + "\"")),
                ok("source with inner spaces and emoji", USER, event(USER, "online", "\"source\":\" plugin " + EMOJI + " \"")),
                ok("unknown scalar field", USER, event(USER, "online", "\"extra\":1")),
                ok("unknown nested object and array", USER,
                        event(USER, "online", "\"meta\":{\"a\":{\"b\":[1,{\"c\":null},[true]]}},\"tags\":[[],{}]")),
                ok("unknown field spelled like a known one", USER, event(USER, "online", "\"UserId\":\"someone-else\"")),
                ok("userId of one character", "a", event("a", "online", null)),
                ok("userId of 191 characters", "u".repeat(191), event("u".repeat(191), "online", null)),
                ok("userId of 191 emoji (382 UTF-16 chars)", EMOJI.repeat(191), event(EMOJI.repeat(191), "online", null)),
                ok("userId with inner spaces", "agent 42", event("agent 42", "online", null)),
                ok("userId in Japanese", "エージェント", event("エージェント", "online", null)),
                // Java's isWhitespace excludes no-break spaces, and MySQL pads only with U+0020
                ok("userId starting with a no-break space", "\u00A0agent", event("\u00A0agent", "online", null)),
                // contract v1.1
                ok("status with a device", USER, event(USER, "online", "\"device\":\"laptop\"")),
                ok("kind status named", USER, event(USER, "busy", "\"kind\":\"status\"")),
                ok("kind and device null", USER, event(USER, "away", "\"kind\":null,\"device\":null")),
                ok("device of 64 characters", USER, event(USER, "online", "\"device\":\"" + "d".repeat(64) + "\"")),
                ok("heartbeat with a device", USER,
                        "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"ts\":1764284615000,\"device\":\"phone\"}"),
                ok("heartbeat alone", USER, "{\"kind\":\"heartbeat\",\"userId\":\"agent-42\"}"),
                ok("heartbeat confirming a status", USER, event(USER, "busy", "\"kind\":\"heartbeat\"")),
                ok("heartbeat with a null status", USER, "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"status\":null}"));
    }

    static Stream<Sample> invalid() {
        return Stream.of(
                bad("a JSON array", "[{\"userId\":\"agent-42\",\"status\":\"online\"}]", NOT_AN_OBJECT),
                bad("a JSON string", "\"agent-42\"", NOT_AN_OBJECT),
                bad("a JSON number", "42", NOT_AN_OBJECT),
                bad("a JSON boolean", "true", NOT_AN_OBJECT),
                bad("the null literal", "null", NOT_AN_OBJECT),
                bad("userId missing", "{\"status\":\"online\"}", MISSING_USER_ID),
                bad("userId null", "{\"userId\":null,\"status\":\"online\"}", MISSING_USER_ID),
                bad("userId a number", "{\"userId\":42,\"status\":\"online\"}", INVALID_USER_ID),
                bad("userId an array", "{\"userId\":[\"agent-42\"],\"status\":\"online\"}", INVALID_USER_ID),
                badUser("userId empty", "", INVALID_USER_ID),
                badUser("userId blank", "   ", INVALID_USER_ID),
                badUser("userId with a leading space", " agent-42", INVALID_USER_ID),
                badUser("userId with a trailing space", "agent-42 ", INVALID_USER_ID),
                badUser("userId with a trailing ideographic space", "agent-42\u3000", INVALID_USER_ID),
                badUser("userId with a trailing line separator", "agent-42\u2028", INVALID_USER_ID),
                bad("userId with a control character", event("\\u0001agent", "online", null), INVALID_USER_ID),
                bad("userId with a tab", event("agent\\t42", "online", null), INVALID_USER_ID),
                bad("userId with DEL", event("agent\\u007f", "online", null), INVALID_USER_ID),
                bad("userId with a C1 control character", event("agent\\u0085", "online", null), INVALID_USER_ID),
                bad("userId a lone high surrogate", event("\\ud800", "online", null), INVALID_USER_ID),
                bad("userId with a lone low surrogate", event("agent\\udc00", "online", null), INVALID_USER_ID),
                badUser("userId of 192 characters", "u".repeat(192), USER_ID_TOO_LONG),
                badUser("userId of 192 emoji", EMOJI.repeat(192), USER_ID_TOO_LONG),
                bad("status missing", "{\"userId\":\"agent-42\"}", MISSING_STATUS),
                bad("status null", "{\"userId\":\"agent-42\",\"status\":null}", MISSING_STATUS),
                bad("status an object", "{\"userId\":\"agent-42\",\"status\":{\"value\":\"online\"}}", INVALID_STATUS),
                bad("status a number", "{\"userId\":\"agent-42\",\"status\":1}", INVALID_STATUS),
                bad("status unknown", event(USER, "dancing", null), UNKNOWN_STATUS),
                bad("status in another case", event(USER, "Online", null), UNKNOWN_STATUS),
                bad("status with a trailing space", event(USER, "online ", null), UNKNOWN_STATUS),
                bad("status empty", event(USER, "", null), UNKNOWN_STATUS),
                bad("ts a string", event(USER, "online", "\"ts\":\"1764284615000\""), INVALID_TS),
                bad("ts a fraction", event(USER, "online", "\"ts\":1764284615000.5"), INVALID_TS),
                bad("ts a boolean", event(USER, "online", "\"ts\":true"), INVALID_TS),
                bad("ts negative", event(USER, "online", "\"ts\":-1"), INVALID_TS),
                bad("ts one past MAX_TS", event(USER, "online", "\"ts\":" + (PresenceEventCodec.MAX_TS + 1)), INVALID_TS),
                bad("ts beyond 64 bits", event(USER, "online", "\"ts\":123456789012345678901234567890"), INVALID_TS),
                bad("ts below -2^63", event(USER, "online", "\"ts\":-123456789012345678901234567890"), INVALID_TS),
                bad("source a number", event(USER, "online", "\"source\":7"), INVALID_SOURCE),
                bad("source an object", event(USER, "online", "\"source\":{\"name\":\"cli\"}"), INVALID_SOURCE),
                bad("source of 65 characters", event(USER, "online", "\"source\":\"" + "s".repeat(65) + "\""), SOURCE_TOO_LONG),
                bad("source with a newline", event(USER, "online", "\"source\":\"cli\\n\""), INVALID_SOURCE),
                bad("source with a lone surrogate", event(USER, "online", "\"source\":\"cli\\udbff\""), INVALID_SOURCE),
                // contract v1.1
                bad("kind unknown", event(USER, "online", "\"kind\":\"ping\""), INVALID_KIND),
                bad("kind in another case", event(USER, "online", "\"kind\":\"Heartbeat\""), INVALID_KIND),
                bad("kind a number", event(USER, "online", "\"kind\":1"), INVALID_KIND),
                bad("heartbeat with an unknown status", event(USER, "dancing", "\"kind\":\"heartbeat\""), UNKNOWN_STATUS),
                bad("heartbeat with a status that is a number",
                        "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"status\":1}", INVALID_STATUS),
                bad("heartbeat without userId", "{\"kind\":\"heartbeat\"}", MISSING_USER_ID),
                bad("device empty", event(USER, "online", "\"device\":\"\""), INVALID_DEVICE),
                bad("device blank", event(USER, "online", "\"device\":\"  \""), INVALID_DEVICE),
                bad("device with a trailing space", event(USER, "online", "\"device\":\"laptop \""), INVALID_DEVICE),
                bad("device with a tab", event(USER, "online", "\"device\":\"lap\\ttop\""), INVALID_DEVICE),
                bad("device a number", event(USER, "online", "\"device\":7"), INVALID_DEVICE),
                bad("device of 65 characters", event(USER, "online", "\"device\":\"" + "d".repeat(65) + "\""),
                        DEVICE_TOO_LONG));
    }

    /** {@code {"userId":…,"status":…[,more]}}; userId and status are pasted into the JSON as they are. */
    static String event(String userId, String status, String more) {
        return "{\"userId\":\"" + userId + "\",\"status\":\"" + status + "\"" + (more == null ? "" : "," + more) + "}";
    }

    private static Sample ok(String name, String key, String json) {
        return new Sample(name, key, json, null);
    }

    private static Sample bad(String name, String json, Rejection expected) {
        return new Sample(name, USER, json, expected);
    }

    /** An invalid userId that needs no JSON escape, sent with a matching key so that only the userId rule decides. */
    private static Sample badUser(String name, String userId, Rejection expected) {
        return new Sample(name, userId, event(userId, "online", null), expected);
    }
}
