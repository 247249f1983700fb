package io.agentpresence.consumer.config;

import java.util.Locale;

/**
 * One setting of the consumer: its name in a properties file, its environment variable, its default
 * (null when required) and a one-line doc. Every key is declared once: in {@link PresenceConsumerConfig}, or in
 * the package that owns it (the fold's in {@code FoldSettings}), which hands it to the configuration when loading.
 */
public record ConfigKey(String name, String defaultValue, boolean secret, String doc) {

    static ConfigKey required(String name, String doc) {
        return new ConfigKey(name, null, false, doc);
    }

    public static ConfigKey optional(String name, String defaultValue, String doc) {
        return new ConfigKey(name, defaultValue, false, doc);
    }

    static ConfigKey secret(String name, String doc) {
        return new ConfigKey(name, "", true, doc);
    }

    /** {@code db.url} → {@code PRESENCE_DB_URL}. */
    public String envName() {
        return envName(name);
    }

    static String envName(String propertyName) {
        return "PRESENCE_" + propertyName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** How error messages name the key: both spellings, so the reader finds it wherever it was set. */
    public String display() {
        return envName() + " (" + name + ")";
    }
}
