package io.agentpresence.consumer.config;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Hides secrets in what the service logs or prints: the credentials a JDBC URL can carry, and the Kafka options
 * that hold one. Masking too much is harmless; masking too little is not, so the rules lean that way.
 */
public final class Secrets {

    public static final String MASK = "****";

    /** Words that make a name a secret's name, wherever they stand in it ({@code password2}, {@code apiToken}). */
    private static final String SECRET_WORD = "password|passwd|pwd|secret|token|passphrase|credential|jaas";
    /** {@code user:secret@host} after {@code //}; the secret runs to the last {@code @} before the path. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^:@/\\s]*:)[^/\\s]*@");
    /**
     * {@code name=value} where the name names a secret: in a query string ({@code ?&}), {@code ;}-separated
     * properties, or Connector/J's {@code (host=...,password=...)} and {@code address=(password=...)} forms.
     */
    private static final Pattern SECRET_PROPERTY = Pattern.compile(
            "(?i)((?:^|[?&;,(\\s])[\\w.-]*(?:" + SECRET_WORD + ")[\\w.-]*\\s*=[ \\t]*)[^&;#)\\s]*");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(?:" + SECRET_WORD + ").*|.*\\.key");
    /** The options every Kafka client we create declares as passwords (Kafka hides them in its own logs). */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords(ConsumerConfig.configDef(),
            ProducerConfig.configDef(), AdminClientConfig.configDef(), StreamsConfig.configDef());

    private Secrets() {
    }

    /** {@code text} (a JDBC URL, or a message that may quote one) with every credential it carries masked. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        return SECRET_PROPERTY.matcher(masked).replaceAll("$1" + MASK);
    }

    /**
     * Whether a Kafka option holds a secret: one a client declares as a password, also under a Streams prefix
     * ({@code producer.}, {@code main.consumer.}, ...), or any option whose name names one.
     */
    public static boolean isSecretKafkaProperty(String name) {
        if (SECRET_NAME.matcher(name).matches()) {
            return true;
        }
        String n = name.toLowerCase(Locale.ROOT);
        for (int from = 0; ; ) {
            if (KAFKA_PASSWORDS.contains(n.substring(from))) {
                return true;
            }
            int dot = n.indexOf('.', from);
            if (dot < 0) {
                return false;
            }
            from = dot + 1;
        }
    }

    private static Set<String> kafkaPasswords(ConfigDef... definitions) {
        Set<String> names = new HashSet<>();
        for (ConfigDef definition : definitions) {
            definition.configKeys().values().stream().filter(key -> key.type == ConfigDef.Type.PASSWORD)
                    .forEach(key -> names.add(key.name));
        }
        return Set.copyOf(names);
    }
}
