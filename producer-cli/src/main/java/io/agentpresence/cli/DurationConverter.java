package io.agentpresence.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way people type them on a command line ({@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}) or as ISO-8601 ({@code PT10S}), and formats them back the same short way.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    /** Kafka's timeout settings are ints in milliseconds, and two of them get added together. */
    static final Duration MAX = Duration.ofHours(24);

    private static final Pattern SHORT_FORM = Pattern.compile("(\\d{1,10})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value.strip().toLowerCase(Locale.ROOT));
        if (duration.isZero() || duration.isNegative()) {
            throw new TypeConversionException("'" + value + "' must be more than zero");
        }
        if (duration.compareTo(MAX) > 0) {
            throw new TypeConversionException("'" + value + "' is longer than the maximum of " + format(MAX));
        }
        return duration;
    }

    private static Duration parse(String value) {
        Matcher m = SHORT_FORM.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        if (value.startsWith("p")) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                // fall through to the message that shows the accepted forms
            }
        }
        throw new TypeConversionException("'" + value + "' is not a duration; use a number with a unit,"
                + " e.g. 500ms, 10s, 2m, 1h");
    }

    /** The shortest exact short form: {@code 2s}, {@code 1500ms}, {@code 3m}. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
