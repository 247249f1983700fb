package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** Timeouts are typed the short way ({@code 500ms}, {@code 10s}) or as ISO-8601, and must be positive. */
class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsShortFormsWithUnits() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert(" 15S ")).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void readsIso8601() {
        assertThat(converter.convert("PT2.5S")).isEqualTo(Duration.ofMillis(2500));
        assertThat(converter.convert("pt1m")).isEqualTo(Duration.ofMinutes(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "abc", "10x", "s", "1.5s", "-1s", "PTxS", ""})
    void rejectsWhatIsNotADurationWithTheAcceptedForms(String value) {
        assertThatThrownBy(() -> converter.convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("e.g. 500ms, 10s");
    }

    @Test
    void rejectsZeroAndDurationsTooLongForKafkasIntTimeouts() {
        assertThatThrownBy(() -> converter.convert("0s")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> converter.convert("PT-1S")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> converter.convert("25h")).hasMessageContaining("maximum of 24h");
    }

    @Test
    void formatsTheShortestExactForm() {
        assertThat(DurationConverter.format(Duration.ofMillis(2000))).isEqualTo("2s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationConverter.format(Duration.ofMinutes(3))).isEqualTo("3m");
        assertThat(DurationConverter.format(Duration.ofHours(2))).isEqualTo("2h");
    }
}
