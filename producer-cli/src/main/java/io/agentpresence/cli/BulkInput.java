package io.agentpresence.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The events of a bulk input, one JSON object per line, read and validated in full before anything is sent.
 * Lines are kept as raw bytes so the codec, not a lenient text decoder, judges invalid UTF-8.
 */
final class BulkInput {

    private static final JsonFactory JSON = new JsonFactory();

    /** The valid events in input order, and one {@code line N: code: message} entry per bad line. */
    record Result(List<PresenceEvent> events, List<String> problems) {
    }

    private BulkInput() {
    }

    /** {@code now} stands in for a missing {@code ts} and bounds how far ahead {@code ts} may be. */
    static Result read(InputStream in, PresenceEventCodec codec, long now) throws IOException {
        byte[] all = in.readAllBytes();
        List<PresenceEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int lineNumber = 0;
        for (int start = 0; start < all.length; ) {
            int newline = indexOf(all, (byte) '\n', start);
            int end = newline < 0 ? all.length : newline;
            lineNumber++;
            byte[] line = Arrays.copyOfRange(all, start, end > start && all[end - 1] == '\r' ? end - 1 : end);
            start = end + 1;
            if (isBlank(line)) {
                continue;
            }
            try {
                String userId = peekUserId(line);
                // the key is the event's own userId; without one, decode reports the missing field
                byte[] key = PresenceEventCodec.key(userId == null ? "" : userId);
                events.add(codec.decode(key, line, now));
            } catch (MalformedEventException e) {
                // one bad line must not hide the others: collect them all for one report
                problems.add("line " + lineNumber + ": " + e.getMessage());
            }
        }
        return new Result(events, problems);
    }

    /** The top-level {@code userId} string, or null; the codec does the real validation. */
    static String peekUserId(byte[] line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("userId".equals(name) && value == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // malformed JSON: decode rejects the same line with the proper reason code
        }
        return null;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\f') {
                return false;
            }
        }
        return true;
    }
}
