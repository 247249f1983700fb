package io.agentpresence.consumer.support;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** The consumer's settings as the file {@code --config} reads. */
public final class ConfigFile {

    private ConfigFile() {
    }

    /** Writes {@code settings} as a properties file in {@code dir} and returns its path. */
    public static Path write(Path dir, Map<String, String> settings) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = Files.createTempFile(dir, "consumer-", ".properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(w, null);
        }
        return file;
    }
}
