package io.agentpresence.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The set of status values a deployment accepts. The default is {@code online, away, busy, offline};
 * values are case-sensitive and at most {@value #MAX_LENGTH} characters, the width of the status column.
 */
public final class PresenceStatuses {

    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String BUSY = "busy";
    public static final String OFFLINE = "offline";
    public static final int MAX_LENGTH = 32;

    public static final PresenceStatuses DEFAULT = new PresenceStatuses(List.of(ONLINE, AWAY, BUSY, OFFLINE));

    private final Set<String> values;
    /** The values as UTF-8, in the order of {@link #strings}, for {@link #find}. */
    private final byte[][] bytes;
    private final String[] strings;

    public PresenceStatuses(Collection<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("at least one status is required");
        }
        for (String value : values) {
            if (value == null || value.isBlank() || value.length() > MAX_LENGTH || !value.strip().equals(value)) {
                throw new IllegalArgumentException("invalid status value '" + value + "': 1-" + MAX_LENGTH
                        + " characters, no surrounding spaces");
            }
        }
        this.values = Set.copyOf(new LinkedHashSet<>(values));
        this.strings = this.values.toArray(new String[0]);
        this.bytes = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            bytes[i] = strings[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Parses a comma-separated list such as {@code online,away,busy,offline}. */
    public static PresenceStatuses parse(String commaSeparated) {
        List<String> parts = List.of(commaSeparated.split(",", -1)).stream().map(String::strip).toList();
        return new PresenceStatuses(parts);
    }

    public boolean contains(String status) {
        return values.contains(status);
    }

    /** The value whose UTF-8 is {@code utf8[from, from + length)}, or null when none is. */
    String find(byte[] utf8, int from, int length) {
        for (int i = 0; i < bytes.length; i++) {
            if (Arrays.equals(bytes[i], 0, bytes[i].length, utf8, from, from + length)) {
                return strings[i];
            }
        }
        return null;
    }

    public Set<String> values() {
        return values;
    }

    @Override
    public String toString() {
        return String.join(",", values.stream().sorted().toList());
    }
}
