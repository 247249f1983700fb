package io.agentpresence.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.common.config.ConfigException;

/**
 * Tells in a few seconds whether anything listens at the bootstrap servers, before a producer waits the whole
 * {@code --timeout} for topic metadata that cannot come. Only a plain TCP connect: a broker that accepts it but
 * answers slowly is still left to the producer and its timeout.
 */
final class BrokerProbe {

    /** How long one address may take to accept a connection; a refused one fails at once. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private BrokerProbe() {
    }

    /**
     * Why no broker can answer at {@code bootstrapServers}, or empty when one of them accepts a connection or the
     * list cannot be checked here (a host DNS cannot resolve: the producer reports that in its own words).
     */
    static Optional<String> noBrokerAnswers(String bootstrapServers, Duration timeout) {
        List<InetSocketAddress> addresses;
        try {
            addresses = ClientUtils.parseAndValidateAddresses(
                    Arrays.stream(bootstrapServers.split(",")).map(String::strip).toList(),
                    ClientDnsLookup.USE_ALL_DNS_IPS);
        } catch (ConfigException e) {
            // unresolvable or malformed: the producer's own message names the problem better
            return Optional.empty();
        }
        int connectMillis = (int) Math.max(1, Math.min(timeout.toMillis(), CONNECT_TIMEOUT.toMillis()));
        String lastProblem = "nothing to connect to";
        for (InetSocketAddress address : addresses) {
            try (Socket socket = new Socket()) {
                socket.connect(address, connectMillis);
                return Optional.empty();
            } catch (IOException e) {
                // refused or silent: try the next address, and keep the reason for the message
                lastProblem = PublishSession.describe(e);
            }
        }
        return Optional.of("no broker answers (" + lastProblem + ")");
    }
}
