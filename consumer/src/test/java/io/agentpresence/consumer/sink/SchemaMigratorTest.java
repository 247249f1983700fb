package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

    @Test
    void theLatestVersionIsTheNewestMigrationOnTheClassPath() throws Exception {
        Pattern versioned = Pattern.compile("^V(\\d+)__.*\\.sql$");
        Path migrations = Path.of(SchemaMigrator.class.getResource("/db/migration").toURI());
        int newest;
        try (Stream<Path> files = Files.list(migrations)) {
            newest = files.map(f -> versioned.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
        }

        assertThat(SchemaMigrator.LATEST_VERSION).isEqualTo(String.valueOf(newest));
    }
}
