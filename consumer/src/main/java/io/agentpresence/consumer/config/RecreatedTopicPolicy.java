package io.agentpresence.consumer.config;

import java.util.Locale;

/**
 * What the consumer does when the topic was deleted and created again under the same name since its positions
 * were stored: the old positions mean nothing in the new log.
 */
public enum RecreatedTopicPolicy {
    /** Stop, naming the topic and how to reset; the operator decides. */
    STOP,
    /** Read the new topic from its beginning, with a warning. */
    RESET;

    static RecreatedTopicPolicy parse(String value) {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
    }

    /** As it is written in the configuration. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
