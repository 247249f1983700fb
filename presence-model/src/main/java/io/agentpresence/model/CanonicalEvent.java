package io.agentpresence.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A shortcut for the form {@link PresenceEventCodec#encode} writes a status event in, and so every publisher built on
 * it: {@code {"userId":"…","status":"…","ts":N}} with an optional {@code ,"source":"…"} before the closing brace,
 * no spaces, each string of printable ASCII without a quote or a backslash, {@code N} of at most 18 digits without a
 * leading zero. Such a value is matched byte by byte, with no parser and no string beyond the ones the event keeps.
 * It is accepted only when the record is valid as well: the key is the userId, the status is one of the configured
 * ones, every field within its bounds; anything else is left to the parser, which decides the same and says why. One
 * per thread: it remembers the last source it read, which nearly every event of a publisher repeats.
 */
final class CanonicalEvent {

    private static final byte[] USER_ID = ascii("{\"userId\":\"");
    private static final byte[] STATUS = ascii("\",\"status\":\"");
    private static final byte[] TS = ascii("\",\"ts\":");
    private static final byte[] SOURCE = ascii(",\"source\":\"");
    /** 18 digits stay below 10^18, within a long whatever they are. */
    private static final int MAX_TS_DIGITS = 18;

    private byte[] lastSourceBytes = new byte[0];
    private String lastSource = "";

    /**
     * The event {@code value} holds when it is a valid status event in the canonical form, keyed by its userId;
     * null otherwise, for the parser to decode or reject.
     *
     * @param recordTimestamp and {@code maxFutureSkewMs} bound the event time, as {@link PresenceEventCodec#checkTs}
     */
    PresenceEvent match(byte[] key, byte[] value, PresenceStatuses statuses, long recordTimestamp, long maxFutureSkewMs) {
        if (key == null || !startsWith(value, 0, USER_ID)) {
            return null;
        }
        int userStart = USER_ID.length;
        int userEnd = endOfText(value, userStart);
        int userLength = userEnd - userStart;
        // the key must be the userId byte for byte; ASCII reads the same as UTF-8, one char per byte
        if (userEnd < 0 || userLength == 0 || userLength > PresenceEventCodec.MAX_USER_ID_LENGTH
                || value[userStart] == ' ' || value[userEnd - 1] == ' '
                || !Arrays.equals(key, 0, key.length, value, userStart, userEnd)
                || !startsWith(value, userEnd, STATUS)) {
            return null;
        }
        int statusStart = userEnd + STATUS.length;
        int statusEnd = endOfText(value, statusStart);
        String status = statusEnd < 0 ? null : statuses.find(value, statusStart, statusEnd - statusStart);
        if (status == null || !startsWith(value, statusEnd, TS)) {
            return null;
        }
        int i = statusEnd + TS.length;
        int digitsStart = i;
        long ts = 0;
        while (i < value.length && value[i] >= '0' && value[i] <= '9') {
            ts = ts * 10 + (value[i++] - '0');
        }
        int digits = i - digitsStart;
        if (digits == 0 || digits > MAX_TS_DIGITS || (digits > 1 && value[digitsStart] == '0')
                || !PresenceEventCodec.isWithinBounds(ts, recordTimestamp, maxFutureSkewMs)) {
            return null;
        }
        String source = null;
        if (startsWith(value, i, SOURCE)) {
            int sourceStart = i + SOURCE.length;
            int sourceEnd = endOfText(value, sourceStart);
            if (sourceEnd < 0 || sourceEnd - sourceStart > PresenceEventCodec.MAX_SOURCE_LENGTH) {
                return null;
            }
            source = source(value, sourceStart, sourceEnd);
            i = sourceEnd + 1;
        }
        if (i != value.length - 1 || value[i] != '}') {
            return null;
        }
        return new PresenceEvent(new String(key, StandardCharsets.ISO_8859_1), status, ts, source);
    }

    /**
     * Where the string that starts at {@code from} ends (its closing quote), or -1 when it holds anything but printable
     * ASCII other than the backslash, or does not end.
     */
    private static int endOfText(byte[] value, int from) {
        for (int i = from; i < value.length; i++) {
            byte b = value[i];
            if (b == '"') {
                return i;
            }
            // a byte of 0x80 or more is negative here
            if (b < 0x20 || b > 0x7E || b == '\\') {
                return -1;
            }
        }
        return -1;
    }

    private String source(byte[] value, int from, int to) {
        if (!Arrays.equals(lastSourceBytes, 0, lastSourceBytes.length, value, from, to)) {
            lastSourceBytes = Arrays.copyOfRange(value, from, to);
            lastSource = new String(lastSourceBytes, StandardCharsets.ISO_8859_1);
        }
        return lastSource;
    }

    private static boolean startsWith(byte[] value, int at, byte[] literal) {
        return at >= 0 && value.length - at >= literal.length
                && Arrays.equals(value, at, at + literal.length, literal, 0, literal.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
