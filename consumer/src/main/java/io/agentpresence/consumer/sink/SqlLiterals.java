package io.agentpresence.consumer.sink;

import java.nio.charset.StandardCharsets;

/**
 * Values written into a statement's text instead of bound. A string of printable ASCII without a quote or a backslash
 * (user ids, statuses and sources nearly always are) goes in single quotes as it is: nothing in it can end the literal
 * or escape under any {@code sql_mode}, and ASCII reads the same in every client character set. Any other string goes
 * as a {@code _utf8mb4 X'…'} hex literal, which holds only hex digits whatever the value. A number goes in decimal.
 * Spares the driver escaping and copying each parameter of a long multi-row statement.
 */
final class SqlLiterals {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SqlLiterals() {
    }

    /** Appends {@code value} as a utf8mb4 string literal, or NULL. */
    static StringBuilder string(StringBuilder sql, String value) {
        if (value == null) {
            return sql.append("NULL");
        }
        if (isPlain(value)) {
            return sql.append('\'').append(value).append('\'');
        }
        sql.append("_utf8mb4 X'");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            sql.append(HEX[(b >>> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return sql.append('\'');
    }

    /** Printable ASCII other than the quote and the backslash: the characters that mean themselves in a literal. */
    private static boolean isPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '\'' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
