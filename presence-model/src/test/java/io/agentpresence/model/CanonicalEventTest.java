package io.agentpresence.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The canonical form's shortcut decides exactly as the parser: the same event, or the same rejection with the same
 * message, for values built on the canonical template with whatever goes into its holes.
 */
class CanonicalEventTest {

    private static final long RECORD_TS = 1_767_000_000_000L;
    private static final PresenceEventCodec CODEC = new PresenceEventCodec(
            new PresenceStatuses(List.of("online", "away", "busy", "offline", "dnd")), Duration.ofMinutes(5), 64 * 1024);

    /** An event in or near the canonical form: its key, its value and its record timestamp. */
    record Candidate(byte[] key, String value, long recordTimestamp) {
    }

    @Property(tries = 3_000)
    void decodesAsTheParserDoes(@ForAll("candidates") Candidate candidate) {
        byte[] value = candidate.value().getBytes(StandardCharsets.UTF_8);
        Object parsed = outcome(() -> CODEC.decodeByParser(candidate.key(), value, candidate.recordTimestamp()));
        Object decoded = outcome(() -> CODEC.decode(candidate.key(), value, candidate.recordTimestamp()));
        boolean matched = new CanonicalEvent().match(candidate.key(), value, CODEC.statuses(),
                candidate.recordTimestamp(), Duration.ofMinutes(5).toMillis()) != null;

        assertThat(decoded).isEqualTo(parsed);
        // the property says something only if both ways are taken often
        Statistics.label("shortcut").collect(matched);
        Statistics.label("shortcut").coverage(c -> {
            c.check(true).percentage(p -> p > 10);
            c.check(false).percentage(p -> p > 20);
        });
    }

    @Example
    void takesWhatTheCodecWritesForAStatusEventWithOrWithoutASource() throws Exception {
        CanonicalEvent canonical = new CanonicalEvent();
        for (PresenceEvent event : List.of(new PresenceEvent("agent-1", "online", RECORD_TS, "openclaw-plugin"),
                new PresenceEvent("agent-2", "offline", RECORD_TS - 1, null),
                new PresenceEvent("a", "busy", 0, ""),
                new PresenceEvent("agent-3", "away", RECORD_TS, "openclaw-plugin"))) {
            PresenceEvent matched = canonical.match(PresenceEventCodec.key(event.userId()), CODEC.encode(event),
                    CODEC.statuses(), RECORD_TS, 0);

            assertThat(matched).isEqualTo(event);
        }
    }

    @Example
    void leavesHeartbeatsDevicesAndEscapedOrNonAsciiTextToTheParser() throws Exception {
        CanonicalEvent canonical = new CanonicalEvent();
        for (PresenceEvent event : List.of(PresenceEvent.heartbeat("agent-1", RECORD_TS, "p", null),
                new PresenceEvent("agent-1", "online", RECORD_TS, "p").withDevice("phone"),
                new PresenceEvent("agent-\"1\"", "online", RECORD_TS, "p"),
                new PresenceEvent("agent-1", "online", RECORD_TS, "plug\\in"),
                new PresenceEvent("agent-\u00e9", "online", RECORD_TS, "p"))) {
            byte[] value = CODEC.encode(event);

            assertThat(canonical.match(PresenceEventCodec.key(event.userId()), value, CODEC.statuses(), RECORD_TS, 0))
                    .as(new String(value, StandardCharsets.UTF_8)).isNull();
            assertThat(CODEC.decode(PresenceEventCodec.key(event.userId()), value, RECORD_TS)).isEqualTo(event);
        }
    }

    /**
     * The template {@code {"userId":"U","status":"S","ts":N[,"source":"R"]}} with its holes filled verbatim (nothing
     * escaped) from alphabets that hold quotes, backslashes, spaces, control and non-ASCII characters, numbers with
     * signs, leading zeros, fractions and too many digits, and keys that are the userId or not.
     */
    @Provide
    Arbitrary<Candidate> candidates() {
        Arbitrary<String> userId = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().withChars("agent-0123456789").ofMinLength(1).ofMaxLength(12)),
                Tuple.of(3, Arbitraries.strings().withChars("ab \"\\/\u0001\u007f\u00e9\u2028{}:,")
                        .ofMinLength(0).ofMaxLength(6)),
                Tuple.of(1, Arbitraries.strings().withChars("xy ").ofMinLength(189).ofMaxLength(193)));
        Arbitrary<String> status = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("online", "away", "busy", "offline", "dnd")),
                Tuple.of(2, Arbitraries.of("Online", "idle", "", "busy ", "on\\u006cine", "\u00e9t\u00e9")));
        Arbitrary<String> ts = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(RECORD_TS - 1_000_000, RECORD_TS + 400_000).map(String::valueOf)),
                Tuple.of(3, Arbitraries.of("0", "00", "01", "-1", "-0", "1.5", "1e3", "", "\"1\"", "null",
                        "253402300799999", "253402300800000", "999999999999999999", "1000000000000000000",
                        "99999999999999999999", String.valueOf(RECORD_TS + 300_000), String.valueOf(RECORD_TS + 300_001))));
        Arbitrary<String> source = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(6, Arbitraries.of("bench", "openclaw-plugin", "", " p ")),
                Tuple.of(2, Arbitraries.strings().withChars("ps\"\\\u0009\u00e9").ofMinLength(0).ofMaxLength(66)),
                Tuple.of(1, Arbitraries.strings().withChars("q").ofMinLength(63).ofMaxLength(65)));
        Arbitrary<String> tail = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("}")),
                Tuple.of(1, Arbitraries.of("} ", "}}", "", ",}", "}\n", ",\"device\":\"d\"}", ",\"x\":1}")));
        Arbitrary<Integer> keyKind = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(1, 2, 3)));
        Arbitrary<Long> recordTimestamp = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(RECORD_TS)),
                Tuple.of(1, Arbitraries.just(-1L)));
        return Combinators.combine(userId, status, ts, source, tail, keyKind, recordTimestamp)
                .as((u, s, t, r, end, k, rts) -> {
                    String value = "{\"userId\":\"" + u + "\",\"status\":\"" + s + "\",\"ts\":" + t
                            + (r == null ? "" : ",\"source\":\"" + r + "\"") + end;
                    byte[] key = switch (k) {
                        case 0 -> u.getBytes(StandardCharsets.UTF_8);
                        case 1 -> null;
                        case 2 -> (u + "x").getBytes(StandardCharsets.UTF_8);
                        default -> u.toUpperCase().getBytes(StandardCharsets.UTF_8);
                    };
                    return new Candidate(key, value, rts);
                });
    }

    /** The event decoded, or the rejection and its message. */
    private static Object outcome(Decoding decoding) {
        try {
            return decoding.run();
        } catch (MalformedEventException e) {
            return e.rejection() + ": " + e.getMessage();
        }
    }

    @FunctionalInterface
    private interface Decoding {
        PresenceEvent run() throws MalformedEventException;
    }
}
