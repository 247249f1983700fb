package io.agentpresence.consumer.config;

/** A missing or invalid setting; the message names the key and the bad value. Thrown at start-up only. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException invalid(ConfigKey key, String value, String expected) {
        return new ConfigException(key.display() + ": invalid value '" + value + "': " + expected);
    }
}
