package io.agentpresence.embedded.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP forwarder for tests that simulate a network outage: it listens on a free local port and relays every
 * connection to {@code host:port}. {@link #cut()} resets all live connections and refuses new ones (they are
 * accepted and reset at once, as a dead server would), until {@link #restore()}.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 3306)) {
 *     String url = "jdbc:mysql://127.0.0.1:" + proxy.port() + "/db";
 *     proxy.cut();      // the database is gone
 *     proxy.restore();  // and back
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Set<Link> links = new HashSet<>();
    /** Guarded by {@link #lock}. */
    private boolean cut;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort, ServerSocket server) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort() + "-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on a free port of 127.0.0.1 and forwards to {@code host:port}. */
    public static TcpProxy start(String host, int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpProxy proxy = new TcpProxy(host, port, server);
        proxy.acceptor.start();
        LOG.info("TCP proxy 127.0.0.1:{} -> {}:{}", server.getLocalPort(), host, port);
        return proxy;
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Resets every live connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        List<Link> victims;
        synchronized (lock) {
            cut = true;
            victims = new ArrayList<>(links);
            links.clear();
        }
        victims.forEach(Link::reset);
        LOG.info("TCP proxy {}: cut, {} connection(s) reset", port(), victims.size());
    }

    /** Accepts and forwards connections again; connections reset by {@link #cut()} stay gone. */
    public void restore() {
        synchronized (lock) {
            cut = false;
        }
        LOG.info("TCP proxy {}: restored", port());
    }

    public boolean isCut() {
        synchronized (lock) {
            return cut;
        }
    }

    /** Connections being forwarded right now. */
    public int liveConnections() {
        synchronized (lock) {
            return links.size();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // the acceptor ends either way; nothing else holds the port
            LOG.debug("Closing the listening socket failed", e);
        }
        cut();
        try {
            acceptor.join(CONNECT_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            // closing anyway; keep the flag for whoever called us
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                // the listening socket was closed: the proxy is shutting down
                return;
            }
            if (isCut()) {
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                // the target itself is unreachable: behave like it, the client sees its connection reset
                LOG.warn("TCP proxy {}: cannot reach {}:{}: {}", port(), targetHost, targetPort, e.getMessage());
                reset(client);
                reset(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            synchronized (lock) {
                if (cut) {
                    // cut() ran while we connected upstream; this connection must not survive it
                    link.reset();
                    continue;
                }
                links.add(link);
            }
            link.start();
        }
    }

    private void forget(Link link) {
        synchronized (lock) {
            links.remove(link);
        }
    }

    /** Closes with SO_LINGER 0, so the peer gets a reset at once instead of an orderly end of stream. */
    private static void reset(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (SocketException e) {
            // the socket is already unusable; closing it is all that is left
        }
        closeQuietly(socket);
    }

    /**
     * One forwarded connection: two pumps, one per direction. An end of stream is passed on as a half-close,
     * and the sockets are closed once both directions ended; a failure in either direction ends both at once.
     */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger openDirections = new AtomicInteger(2);

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[BUFFER_BYTES];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    to.shutdownOutput();
                } catch (IOException e) {
                    // one side was closed or reset (possibly by cut()): the whole link is over
                    reset();
                    return;
                }
                if (openDirections.decrementAndGet() == 0) {
                    close();
                }
            }, "tcp-proxy-" + port() + "-" + direction);
            t.setDaemon(true);
            t.start();
        }

        /** Both directions ended cleanly: an orderly close, so nothing still buffered is thrown away. */
        private void close() {
            forget(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }

        void reset() {
            forget(this);
            TcpProxy.reset(client);
            TcpProxy.reset(upstream);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}
