package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free loopback ports. A port is free when asked; a server should bind it soon after. */
final class Ports {

    private Ports() {
    }

    /** Ports handed out by this JVM; never handed out twice, so two servers of one run cannot collide. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    static int free() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
    }
}
