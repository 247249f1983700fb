package io.agentpresence.consumer.support;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.TestDatabase;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The consumer's settings for a test, as a map for {@code fromMap} or as the file {@code --config} reads. */
public final class ConfigFile {

    private ConfigFile() {
    }

    /** Broker, database, topic (with a dead-letter topic of its own) and group, polling briskly. */
    public static Map<String, String> settings(KafkaEndpoint kafka, TestDatabase db, String topic, String group) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("db.url", db.jdbcUrl());
        settings.put("db.user", db.user());
        settings.put("db.password", db.password());
        settings.put("topic", topic);
        settings.put("dlq.topic", topic + ".dlq");
        settings.put("group.id", group);
        settings.put("poll.timeout", "100ms");
        return settings;
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
