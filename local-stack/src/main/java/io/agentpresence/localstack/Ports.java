package io.agentpresence.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks a port before a server binds it, so a clash reads as one sentence instead of a stack trace or a 30 s wait. */
final class Ports {

    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** @param hint how to free the port or choose another, appended to the message */
    static void requireFree(int port, String what, String hint) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new StackException("port " + port + " on " + HOST + " (" + what + ") is already in use: " + hint);
        }
    }
}
