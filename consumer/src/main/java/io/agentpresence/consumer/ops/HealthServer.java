package io.agentpresence.consumer.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operations endpoints on one HTTP port: {@code /metrics} (Prometheus text format), {@code /health/live}
 * (the process runs its poll loop) and {@code /health/ready} (partitions are being applied and the database
 * answers). Each health answer is 200 or 503 with a one-word body. Requests are served by {@link #THREADS}
 * threads ({@code presence-http-N}), and a client that has not sent its whole request within
 * {@link #REQUEST_TIMEOUT} is cut off, so slow or stalled clients cannot hold back a probe.
 */
public final class HealthServer implements AutoCloseable {

    /** Requests served at once: a few slow clients still leave a thread for the probes. */
    static final int THREADS = 4;
    /** How long a client may take to send its request; a probe or a scrape sends it at once. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The JDK server's only request timeout, in seconds: a JVM-wide property it reads once, when its first
     * server starts. Set here unless the operator set it ({@code -Dsun.net.httpserver.maxReqTime=...}).
     */
    private static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

    private final HttpServer server;
    private final ExecutorService threads;

    /** @param bindAddress an IP address or host name; {@code 0.0.0.0} is every interface */
    public HealthServer(String bindAddress, int port, PrometheusMeterRegistry registry, BooleanSupplier live,
                        BooleanSupplier ready) throws IOException {
        this(bindAddress, port, registry::scrape, live, ready);
    }

    /**
     * As above, {@code /metrics} answering with what {@code metrics} gives, in Prometheus' text format: the meters
     * of more than one registry (the local stack's consumer and fold in one JVM).
     */
    public HealthServer(String bindAddress, int port, Supplier<String> metrics, BooleanSupplier live,
                        BooleanSupplier ready) throws IOException {
        System.getProperties().putIfAbsent(MAX_REQUEST_TIME_PROPERTY, String.valueOf(REQUEST_TIMEOUT.toSeconds()));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 0);
        AtomicInteger number = new AtomicInteger();
        threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "presence-http-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/health/live", exchange -> health(exchange, live.getAsBoolean(), "live"));
        server.createContext("/health/ready", exchange -> health(exchange, ready.getAsBoolean(), "ready"));
        server.start();
    }

    /** The bound port; differs from the configured one when that was 0 (any free port). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The bound address and port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void health(HttpExchange exchange, boolean ok, String word) throws IOException {
        respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? word + "\n" : "not " + word + "\n");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        // a thread still reading a slow request is interrupted, which closes its connection
        threads.shutdownNow();
    }
}
