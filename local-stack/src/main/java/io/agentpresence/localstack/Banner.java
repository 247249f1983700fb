package io.agentpresence.localstack;

import io.agentpresence.model.PresenceTopics;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The text printed once the stack is up: where everything is, and two commands to try it. */
final class Banner {

    /** The CLI's launcher in a checkout, which starts it quicker than {@code java -jar} does. */
    static final String CLI = "bin/presence";
    static final String QUERY = "SELECT * FROM agent_presences";
    private static final Pattern MYSQL_URL = Pattern.compile("jdbc:(?:mysql|mariadb)://([^/:?,]+)(?::(\\d+))?/([^?;]+).*");
    private static final String RULE = "=".repeat(78);

    private Banner() {
    }

    static String render(RunningStack stack) {
        StackSettings settings = stack.settings();
        StringBuilder b = new StringBuilder();
        b.append(RULE).append('\n');
        b.append(String.format(Locale.ROOT, " agent-presence local stack is up (%.1f s)%n",
                stack.startupTime().toMillis() / 1000.0));
        b.append(" Kafka     ").append(stack.bootstrapServers()).append(stack.embeddedBroker()
                ? "   embedded KRaft broker, data in " + settings.kafkaDir() : "   (PRESENCE_BOOTSTRAP_SERVERS)").append('\n');
        b.append(" Database  ").append(stack.jdbcUrl()).append("   user ").append(userLabel(stack)).append('\n');
        b.append("           ").append(stack.embeddedDatabase()
                ? "embedded MariaDB, data in " + settings.mariaDbDir() : "(PRESENCE_DB_URL)").append('\n');
        b.append(" Consumer  topic ").append(stack.topic()).append(", table agent_presences\n");
        b.append(" Fold      devices on ").append(stack.deviceTopic()).append(" -> ").append(stack.publishTopic())
                .append(", a silent device expires after ").append(stack.deviceTtl().toSeconds()).append(" s\n");
        stack.rawTopic().ifPresent(raw -> b.append(" Order     ").append(raw).append(" -> ").append(stack.topic())
                .append(", only newer states pass\n"));
        if (stack.httpPort() > 0) {
            b.append(" Metrics   http://127.0.0.1:").append(stack.httpPort()).append("/metrics, /health/ready\n");
        }
        b.append('\n');
        b.append(" Publish an event, or one from a device (kept alive by heartbeats):\n");
        b.append("   ").append(cliCommand(stack.bootstrapServers(), stack.publishTopic())).append('\n');
        b.append("   ").append(deviceCommand(stack.bootstrapServers(), stack.deviceTopic())).append('\n');
        b.append(" See the row:\n");
        b.append("   ").append(sqlCommand(stack.jdbcUrl(), stack.dbUser(), stack.dbPassword())).append('\n');
        b.append('\n');
        b.append(" Ctrl-C stops the stack").append(stack.embeddedBroker() || stack.embeddedDatabase()
                ? "; the data stays in " + settings.dataDir() + " (delete it to start afresh)." : ".").append('\n');
        if (settings.dataIsTemporary() && (stack.embeddedBroker() || stack.embeddedDatabase())) {
            b.append(" WARNING: ").append(settings.dataDir()).append(" is in the system temp folder; the data will"
                    + " not survive. Choose --data-dir elsewhere to keep it.\n");
        }
        b.append(RULE).append('\n');
        return b.toString();
    }

    static String cliCommand(String bootstrapServers, String topic) {
        String command = CLI + " set agent-42 online --bootstrap-servers " + bootstrapServers;
        return PresenceTopics.DEFAULT_TOPIC.equals(topic) ? command : command + " --topic " + topic;
    }

    static String deviceCommand(String bootstrapServers, String deviceTopic) {
        String command = CLI + " set agent-7 online --device laptop --bootstrap-servers "
                + bootstrapServers;
        return PresenceTopics.DEFAULT_DEVICE_TOPIC.equals(deviceTopic) ? command : command + " --device-topic " + deviceTopic;
    }

    /** A {@code mariadb} client command for the URL, or just the query when the URL is not a plain host/port/db. */
    static String sqlCommand(String jdbcUrl, String dbUser, String dbPassword) {
        Matcher url = MYSQL_URL.matcher(jdbcUrl);
        if (!url.matches()) {
            return QUERY + "   (in a client connected to " + jdbcUrl + ")";
        }
        String user = dbUser.isEmpty() ? "" : " -u" + dbUser;
        String password = dbPassword.isEmpty() ? "" : " -p";
        String port = url.group(2) == null ? "" : " -P" + url.group(2);
        return "mariadb -h" + url.group(1) + port + user + password + " " + url.group(3) + " -e '" + QUERY + "'";
    }

    private static String userLabel(RunningStack stack) {
        String user = stack.dbUser().isEmpty() ? "(from the URL)" : stack.dbUser();
        return user + (stack.dbPassword().isEmpty() ? ", no password" : ", password from PRESENCE_DB_PASSWORD");
    }
}
