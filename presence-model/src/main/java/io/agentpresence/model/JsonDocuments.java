package io.agentpresence.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;

/**
 * One Jackson parser reading one small JSON document after another, each from its own byte array: setting up a parser
 * costs more than reading a presence event (480 against 300 ns per event, and 830 against 150 bytes allocated), so
 * a thread keeps one non-blocking parser and feeds it record after record. Not thread-safe: one per thread.
 * <p>
 * A document must be read through {@link #start}, {@link #next} and {@link #finish}; one that is not finished (a
 * rejection halfway, a Jackson error) is {@link #discard discarded} with its parser, so the next document never starts
 * in the middle of an earlier one. So is a parser that has read field names we do not know, whose symbol table
 * would otherwise keep growing with whatever names publishers send.
 */
final class JsonDocuments {

    /** Replaced now and then all the same: its row and column counters are ints. */
    private static final int DOCUMENTS_PER_PARSER = 1_000_000;

    private final JsonFactory factory;
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    /** Bytes fed to the parser before the current document, to find where in it the parser stands. */
    private long fedBefore;
    private long fed;
    private int documents;

    JsonDocuments(JsonFactory factory) {
        this.factory = factory;
    }

    /** Starts reading {@code document}; the caller then reads it with {@link #next} and ends with {@link #finish}. */
    JsonParser start(byte[] document) throws IOException {
        if (parser == null || documents == DOCUMENTS_PER_PARSER) {
            discard();
            parser = factory.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            fed = 0;
            documents = 0;
        }
        documents++;
        fedBefore = fed;
        feeder.feedInput(document, 0, document.length);
        fed += document.length;
        return parser;
    }

    /** The next token of the document; {@code null} when it has none left (it ended early, or is empty). */
    JsonToken next() throws IOException {
        JsonToken token = parser.nextToken();
        return token == JsonToken.NOT_AVAILABLE ? null : token;
    }

    /**
     * Skips the value whose first token {@link #next} just returned, nested arrays and objects included.
     *
     * @return false when the document ends inside it
     */
    boolean skipValue(JsonToken first) throws IOException {
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
            return true;
        }
        for (int depth = 1; depth > 0; ) {
            JsonToken token = next();
            if (token == null) {
                return false;
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
        }
        return true;
    }

    /**
     * Ends a document whose root value {@link #next} has just closed.
     *
     * @return false when anything but whitespace follows the root value; the parser is discarded then
     */
    boolean finish(byte[] document) throws IOException {
        long end = parser.currentLocation().getByteOffset() - fedBefore;
        for (long i = end; i < document.length; i++) {
            byte b = document[(int) i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                discard();
                return false;
            }
        }
        // only whitespace is left, which the parser must still pass over before it takes the next document
        if (parser.nextToken() != JsonToken.NOT_AVAILABLE) {
            discard();
            return false;
        }
        return true;
    }

    /** Drops the parser; the next document starts a new one. */
    void discard() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                // closing a parser over byte arrays releases buffers only; nothing can be lost here
            }
            parser = null;
            feeder = null;
        }
    }
}
