package io.agentpresence.localstack;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Turns exceptions and durations into the short text the user reads. */
final class Failures {

    private Failures() {
    }

    /** The messages of an exception and its causes, without repeats: "a: b: c". */
    static String describe(Throwable e) {
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable t = e; t != null && messages.size() < 5; t = t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage().strip() : t.getClass().getSimpleName();
            if (messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return String.join(": ", messages);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
