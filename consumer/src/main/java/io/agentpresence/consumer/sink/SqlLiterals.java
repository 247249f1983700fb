package io.agentpresence.consumer.sink;

import java.nio.charset.StandardCharsets;

/**
 * Values written into a statement's text instead of bound: a string as a {@code _utf8mb4 X'…'} hex literal, which
 * holds only hex digits whatever the value and so cannot end early under any {@code sql_mode} or character set, a
 * number in decimal. Spares the driver escaping and copying each parameter of a long multi-row statement.
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
        sql.append("_utf8mb4 X'");
        if (isAscii(value)) {
            // an ASCII character is its own UTF-8 byte: no byte array needed
            for (int i = 0; i < value.length(); i++) {
                hex(sql, value.charAt(i));
            }
        } else {
            for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
                hex(sql, b & 0xFF);
            }
        }
        return sql.append('\'');
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void hex(StringBuilder sql, int b) {
        sql.append(HEX[b >>> 4]).append(HEX[b & 0xF]);
    }
}
