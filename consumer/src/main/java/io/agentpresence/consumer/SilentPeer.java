package io.agentpresence.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback server for {@link ClassDataWorkload} that never answers: it either reads what a client sends and
 * discards it (a broker that never responds, so a client builds and writes its requests in full), or hangs up at
 * once (a database whose greeting never comes, so the driver fails fast).
 */
final class SilentPeer implements AutoCloseable {

    private final ServerSocket socket;
    private final boolean hangUp;

    private SilentPeer(boolean hangUp) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.hangUp = hangUp;
        Thread acceptor = new Thread(this::serve, "presence-workload-silent-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static SilentPeer listening() throws IOException {
        return new SilentPeer(false);
    }

    static SilentPeer hangingUp() throws IOException {
        return new SilentPeer(true);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[8192];
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept(); InputStream in = connection.getInputStream()) {
                while (!hangUp && in.read(buffer) >= 0) {
                    // discard: this peer never answers
                }
            } catch (IOException e) {
                // the workload is over or the client hung up; either way accept the next one or stop
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
