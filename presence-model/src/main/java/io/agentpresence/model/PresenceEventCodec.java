package io.agentpresence.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The wire format of a presence event, contract v1.1: key = userId as UTF-8, value = a JSON object with
 * {@code userId}, {@code status}, optional {@code ts} (epoch ms), optional {@code source}, and since v1.1 an
 * optional {@code device} and an optional {@code kind}: {@code "status"} (the default) or {@code "heartbeat"},
 * whose {@code status} is optional (the status it confirms). Unknown fields are ignored, so a v1 event is a valid v1.1 event and means the same.
 * Decoding validates everything a row needs, so whatever it returns can be written as is.
 */
public final class PresenceEventCodec {

    public static final int MAX_USER_ID_LENGTH = 191;
    public static final int MAX_SOURCE_LENGTH = 64;
    public static final int MAX_DEVICE_LENGTH = 64;
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    /** 9999-12-31T23:59:59.999Z: the last instant a DATETIME can show; larger values are clock bugs. */
    public static final long MAX_TS = 253_402_300_799_999L;
    private static final int MAX_NESTING_DEPTH = 64;
    /** The fields an event has, a bit each (see {@link #fieldBit}); any others are ignored but may appear only once. */
    private static final int USER_ID = 0;
    private static final int STATUS = 1;
    private static final int TS = 2;
    private static final int SOURCE = 3;
    private static final int DEVICE = 4;
    private static final int KIND = 5;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();
    /** Each thread reads its records with one parser of its own, fed one value after another. */
    private static final ThreadLocal<JsonDocuments> DOCUMENTS = ThreadLocal.withInitial(() -> new JsonDocuments(JSON));
    /** And matches the canonical form with a matcher of its own, which remembers the last source. */
    private static final ThreadLocal<CanonicalEvent> CANONICAL = ThreadLocal.withInitial(CanonicalEvent::new);

    private final PresenceStatuses statuses;
    private final long maxFutureSkewMs;
    private final int maxValueBytes;

    public PresenceEventCodec() {
        this(PresenceStatuses.DEFAULT, DEFAULT_MAX_FUTURE_SKEW, DEFAULT_MAX_VALUE_BYTES);
    }

    public PresenceEventCodec(PresenceStatuses statuses, Duration maxFutureSkew, int maxValueBytes) {
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative: " + maxFutureSkew);
        }
        if (maxValueBytes < 64) {
            throw new IllegalArgumentException("maxValueBytes must be at least 64: " + maxValueBytes);
        }
        this.statuses = statuses;
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
        this.maxValueBytes = maxValueBytes;
    }

    public PresenceStatuses statuses() {
        return statuses;
    }

    /** The record key for a user: its id as UTF-8. */
    public static byte[] key(String userId) {
        return userId.getBytes(StandardCharsets.UTF_8);
    }

    /** Encodes a valid event; {@code ts} may lie at most the configured skew ahead of this machine's clock. */
    public byte[] encode(PresenceEvent event) throws MalformedEventException {
        validate(event, System.currentTimeMillis());
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("userId", event.userId());
            if (event.isHeartbeat()) {
                // only heartbeats name their kind, so a status event stays byte for byte what v1 wrote
                g.writeStringField("kind", event.kind().wireName());
            }
            if (event.status() != null) {
                g.writeStringField("status", event.status());
            }
            g.writeNumberField("ts", event.ts());
            if (event.source() != null) {
                g.writeStringField("source", event.source());
            }
            if (event.device() != null) {
                g.writeStringField("device", event.device());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes and validates one record. {@code recordTimestamp} (epoch ms, or negative when unknown) stands in
     * for a missing {@code ts} and bounds how far in the future {@code ts} may be.
     */
    public PresenceEvent decode(byte[] key, byte[] value, long recordTimestamp) throws MalformedEventException {
        // what the codec itself writes, valid, nearly always: matched without the parser (CanonicalEvent)
        PresenceEvent canonical = value.length > maxValueBytes ? null
                : CANONICAL.get().match(key, value, statuses, recordTimestamp, maxFutureSkewMs);
        return canonical != null ? canonical : decodeByParser(key, value, recordTimestamp);
    }

    /** {@link #decode} by the parser alone: every form of the contract, and the reason for every rejection. */
    PresenceEvent decodeByParser(byte[] key, byte[] value, long recordTimestamp) throws MalformedEventException {
        if (value.length > maxValueBytes) {
            throw new MalformedEventException(Rejection.VALUE_TOO_LARGE,
                    value.length + " bytes, more than the limit of " + maxValueBytes);
        }
        // Jackson decodes some ill-formed UTF-8 (overlong forms, encoded surrogates) instead of rejecting it
        if (!Utf8.isValid(value)) {
            throw new MalformedEventException(Rejection.MALFORMED_JSON, "the value is not valid UTF-8");
        }
        Fields fields = parse(value);
        if (fields.userId == null) {
            throw new MalformedEventException(Rejection.MISSING_USER_ID, "field 'userId' is required");
        }
        // the key as the userId in ASCII, the common case, needs no string of its own
        String keyUserId = isAsciiKeyOf(key, fields.userId) ? fields.userId : decodeKey(key);
        long ts = fields.hasTs ? fields.ts : recordTimestamp;
        if (!fields.hasTs && recordTimestamp < 0) {
            throw new MalformedEventException(Rejection.INVALID_TS, "no 'ts' field and no record timestamp");
        }
        PresenceEvent.Kind kind = PresenceEvent.Kind.STATUS;
        if (fields.kind != null) {
            kind = PresenceEvent.Kind.fromWireName(fields.kind);
            if (kind == null) {
                throw new MalformedEventException(Rejection.INVALID_KIND,
                        "'" + printable(fields.kind) + "' is not a kind; expected 'status' or 'heartbeat'");
            }
        }
        if (kind == PresenceEvent.Kind.STATUS && fields.status == null) {
            throw new MalformedEventException(Rejection.MISSING_STATUS, "field 'status' is required");
        }
        PresenceEvent event = new PresenceEvent(kind, fields.userId, fields.status, ts, fields.source, fields.device);
        validate(event, recordTimestamp);
        if (!keyUserId.equals(event.userId())) {
            throw new MalformedEventException(Rejection.KEY_MISMATCH,
                    "record key '" + printable(keyUserId) + "' differs from userId '" + printable(event.userId()) + "'");
        }
        return event;
    }

    /** The userId of a tombstone (a record with a null value): its key, validated like any userId. */
    public String decodeTombstoneKey(byte[] key) throws MalformedEventException {
        String userId = decodeKey(key);
        checkUserId(userId);
        return userId;
    }

    /** Checks every field of an event; {@code now} bounds {@code ts} unless negative (unknown). */
    public void validate(PresenceEvent event, long now) throws MalformedEventException {
        checkUserId(event.userId());
        if (event.status() != null && !statuses.contains(event.status())) {
            throw new MalformedEventException(Rejection.UNKNOWN_STATUS,
                    "'" + printable(event.status()) + "' is not one of " + statuses);
        }
        checkTs(event.ts(), now);
        String source = event.source();
        if (source != null) {
            // printable ASCII, the common case, is clean and has a code point per char
            boolean ascii = isPrintableAscii(source);
            if ((ascii ? source.length() : source.codePointCount(0, source.length())) > MAX_SOURCE_LENGTH) {
                throw new MalformedEventException(Rejection.SOURCE_TOO_LONG,
                        "'source' is longer than " + MAX_SOURCE_LENGTH + " characters");
            }
            if (!ascii && !isCleanText(source)) {
                throw new MalformedEventException(Rejection.INVALID_SOURCE,
                        "'source' contains control characters or broken surrogates");
            }
        }
        String device = event.device();
        if (device != null) {
            if (device.codePointCount(0, device.length()) > MAX_DEVICE_LENGTH) {
                throw new MalformedEventException(Rejection.DEVICE_TOO_LONG,
                        "'device' is longer than " + MAX_DEVICE_LENGTH + " characters");
            }
            if (device.isBlank() || !device.strip().equals(device) || !isCleanText(device)) {
                throw new MalformedEventException(Rejection.INVALID_DEVICE,
                        "'device' is blank, has leading or trailing whitespace, or contains control characters");
            }
        }
    }

    /**
     * Checks an event time: within 0..{@link #MAX_TS} and at most the configured skew ahead of {@code now} (unless
     * negative). For a tombstone, whose time is its record timestamp, {@code now} can only be the reader's clock.
     */
    public void checkTs(long ts, long now) throws MalformedEventException {
        if (isWithinBounds(ts, now, maxFutureSkewMs)) {
            return;
        }
        if (ts < 0 || ts > MAX_TS) {
            throw new MalformedEventException(Rejection.INVALID_TS, ts + " is outside 0.." + MAX_TS);
        }
        throw new MalformedEventException(Rejection.TS_IN_FUTURE, "ts " + ts + " is "
                + (ts - now) + " ms ahead of " + now + ", more than the allowed " + maxFutureSkewMs + " ms");
    }

    /**
     * Whether {@code ts} is within 0..{@link #MAX_TS} and at most {@code maxFutureSkewMs} ahead of {@code now} (unless
     * {@code now} is negative).
     */
    static boolean isWithinBounds(long ts, long now, long maxFutureSkewMs) {
        // ts - now cannot overflow (ts is within 0..MAX_TS); now + skew could, for a record timestamp near Long.MAX_VALUE
        return ts >= 0 && ts <= MAX_TS && (now < 0 || ts - now <= maxFutureSkewMs);
    }

    private static void checkUserId(String userId) throws MalformedEventException {
        if (isPrintableAscii(userId) && userId.length() <= MAX_USER_ID_LENGTH && !userId.isEmpty()
                && userId.charAt(0) != ' ' && userId.charAt(userId.length() - 1) != ' ') {
            // the common case, valid by construction: one char is one code point, and the only whitespace is ' '
            return;
        }
        if (userId.isEmpty() || userId.isBlank()) {
            throw new MalformedEventException(Rejection.INVALID_USER_ID, "userId is empty or blank");
        }
        if (userId.codePointCount(0, userId.length()) > MAX_USER_ID_LENGTH) {
            throw new MalformedEventException(Rejection.USER_ID_TOO_LONG,
                    "userId is longer than " + MAX_USER_ID_LENGTH + " characters");
        }
        // MySQL compares VARCHAR keys ignoring trailing spaces, so "a" and "a " would share one row
        if (!userId.strip().equals(userId)) {
            throw new MalformedEventException(Rejection.INVALID_USER_ID, "userId has leading or trailing whitespace");
        }
        if (!isCleanText(userId)) {
            throw new MalformedEventException(Rejection.INVALID_USER_ID,
                    "userId contains control characters or broken surrogates");
        }
    }

    /** Only printable ASCII (0x20..0x7E): no control characters, no surrogates, one char per code point. */
    private static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCleanText(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** True when the key is {@code userId} in ASCII, byte for char. */
    private static boolean isAsciiKeyOf(byte[] key, String userId) {
        if (key == null || key.length != userId.length()) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            // a byte of 0x80 or more is negative here, so never equal to a char
            if (key[i] != userId.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String decodeKey(byte[] key) throws MalformedEventException {
        if (key == null) {
            throw new MalformedEventException(Rejection.MISSING_KEY, "the record has no key; the key must be the userId");
        }
        if (!Utf8.isValid(key)) {
            throw new MalformedEventException(Rejection.INVALID_KEY, "the record key is not valid UTF-8");
        }
        return new String(key, StandardCharsets.UTF_8);
    }

    private static Fields parse(byte[] value) throws MalformedEventException {
        JsonDocuments documents = DOCUMENTS.get();
        boolean finished = false;
        try {
            JsonParser p = documents.start(value);
            JsonToken first = documents.next();
            if (first != JsonToken.START_OBJECT) {
                throw notAnObject(value);
            }
            Fields fields = readFields(documents, p);
            if (!documents.finish(value)) {
                throw new MalformedEventException(Rejection.MALFORMED_JSON, "content after the JSON object");
            }
            finished = !fields.unknownNames;
            return fields;
        } catch (IOException e) {
            // Jackson reports bad syntax, invalid UTF-8 and too-deep nesting all as I/O on an in-memory array
            throw new MalformedEventException(Rejection.MALFORMED_JSON, firstLine(e.getMessage()), e);
        } finally {
            if (!finished) {
                documents.discard();
            }
        }
    }

    /** Reads the fields of the object just opened, up to its end. */
    private static Fields readFields(JsonDocuments documents, JsonParser p) throws IOException, MalformedEventException {
        Fields fields = new Fields();
        // the fields we read are told apart by a bit each; a set is made only for fields we do not know
        int seen = 0;
        Set<String> seenOthers = null;
        JsonToken next;
        while ((next = documents.next()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int bit = fieldBit(name);
            boolean again;
            if (bit >= 0) {
                again = (seen & (1 << bit)) != 0;
                seen |= 1 << bit;
            } else {
                seenOthers = seenOthers == null ? new HashSet<>(4) : seenOthers;
                again = !seenOthers.add(name);
            }
            if (again) {
                throw new MalformedEventException(Rejection.DUPLICATE_FIELD, "field '" + printable(name) + "' appears twice");
            }
            JsonToken token = documents.next();
            if (token == null) {
                throw endsEarly();
            }
            switch (bit) {
                case USER_ID -> fields.userId = string(p, token, Rejection.INVALID_USER_ID, "userId");
                case STATUS -> fields.status = string(p, token, Rejection.INVALID_STATUS, "status");
                case TS -> timestamp(p, token, fields);
                case SOURCE -> fields.source = string(p, token, Rejection.INVALID_SOURCE, "source");
                case DEVICE -> fields.device = string(p, token, Rejection.INVALID_DEVICE, "device");
                case KIND -> fields.kind = string(p, token, Rejection.INVALID_KIND, "kind");
                default -> {
                    if (!documents.skipValue(token)) {
                        throw endsEarly();
                    }
                }
            }
        }
        if (next == null) {
            throw endsEarly();
        }
        fields.unknownNames = seenOthers != null;
        return fields;
    }

    private static MalformedEventException endsEarly() {
        return new MalformedEventException(Rejection.MALFORMED_JSON, "the value ends inside the JSON object");
    }

    /**
     * Why a value does not start with a JSON object: read once more by a parser of its own, which sees the whole value
     * and so can tell an empty value, a complete one of another type and broken syntax apart.
     */
    private static MalformedEventException notAnObject(byte[] value) {
        try (JsonParser p = JSON.createParser(value)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return new MalformedEventException(Rejection.MALFORMED_JSON, "the value is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                return new MalformedEventException(Rejection.NOT_AN_OBJECT, "expected a JSON object, found " + first);
            }
            return new MalformedEventException(Rejection.MALFORMED_JSON, "the value ends inside the JSON object");
        } catch (IOException e) {
            return new MalformedEventException(Rejection.MALFORMED_JSON, firstLine(e.getMessage()), e);
        }
    }

    private static String string(JsonParser p, JsonToken token, Rejection rejection, String field)
            throws IOException, MalformedEventException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw new MalformedEventException(rejection, "'" + field + "' must be a string, found " + token);
        }
        return p.getText();
    }

    /** The bit of a field we read, or -1 for any other. */
    private static int fieldBit(String name) {
        return switch (name) {
            case "userId" -> USER_ID;
            case "status" -> STATUS;
            case "ts" -> TS;
            case "source" -> SOURCE;
            case "device" -> DEVICE;
            case "kind" -> KIND;
            default -> -1;
        };
    }

    /** Reads {@code ts} into {@code fields}; a null leaves it unset, as when absent. */
    private static void timestamp(JsonParser p, JsonToken token, Fields fields) throws IOException, MalformedEventException {
        if (token == JsonToken.VALUE_NULL) {
            return;
        }
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new MalformedEventException(Rejection.INVALID_TS, "'ts' must be an integer (epoch ms), found " + token);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new MalformedEventException(Rejection.INVALID_TS, "'ts' does not fit in 64 bits");
        }
        fields.ts = p.getLongValue();
        fields.hasTs = true;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Keeps log lines and error messages on one line and bounded, whatever a publisher sent. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
        s.codePoints().limit(80).forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return s.codePointCount(0, s.length()) > 80 ? b.append('…').toString() : b.toString();
    }

    private static final class Fields {
        String userId;
        String status;
        long ts;
        boolean hasTs;
        /** Fields other than ours were read: their names are in the parser's symbol table now. */
        boolean unknownNames;
        String source;
        String device;
        String kind;
    }
}
