package io.agentpresence.consumer.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operations endpoints over real sockets: slow clients must not hold back a load balancer's probe. */
class HealthServerTest {

    /** Far below the probe timeouts of a load balancer, far above an answer on an idle machine. */
    private static final Duration PROMPT = Duration.ofSeconds(3);
    private static final String HALF_A_REQUEST = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Socket> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROMPT).build();
    private HealthServer server;

    @AfterEach
    void tearDown() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    @Test
    void whileSlowClientsHoldTheirRequestsHealthLiveAnswersPromptly() throws Exception {
        server = new HealthServer("127.0.0.1", 0, registry, () -> true, () -> false);
        // every thread but one taken by a client that sent half a request, and one more that sent nothing
        for (int i = 0; i < HealthServer.THREADS - 1; i++) {
            slowClient(HALF_A_REQUEST);
        }
        slowClient("");

        HttpResponse<String> live = get("/health/live");

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("live\n");
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void aClientThatNeverFinishesItsRequestIsCutOffAfterTheRequestTimeout() throws Exception {
        server = new HealthServer("127.0.0.1", 0, registry, () -> true, () -> true);
        Socket slow = slowClient(HALF_A_REQUEST);
        // the JDK server checks its request timers once a second or so; a loaded machine may add more
        Duration cutOff = HealthServer.REQUEST_TIMEOUT.multipliedBy(3);
        slow.setSoTimeout((int) cutOff.toMillis());

        int read;
        try (InputStream in = slow.getInputStream()) {
            read = in.read();
        } catch (SocketException reset) {
            // a reset is a cut-off too
            read = -1;
        }

        assertThat(read).as("the server closed the connection without answering, within " + cutOff).isEqualTo(-1);
    }

    @Test
    void theServerListensOnTheConfiguredAddressOnly() throws Exception {
        server = new HealthServer("127.0.0.1", 0, registry, () -> true, () -> true);

        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    private Socket slowClient(String sent) throws IOException {
        Socket client = new Socket();
        clients.add(client);
        client.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) PROMPT.toMillis());
        OutputStream out = client.getOutputStream();
        out.write(sent.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return client;
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(PROMPT).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
