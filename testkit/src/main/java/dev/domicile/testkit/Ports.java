package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the topology's servers. A port is free when handed out; its server binds it a moment
 * later. Ports come from below the kernel's ephemeral range when possible, so that the client side of the many
 * connections a test opens (which the kernel numbers from that range) cannot take a port between the two moments.
 * Each port handed out is also claimed with a file lock in {@code ${java.io.tmpdir}/domicile-ports}, held until the
 * JVM exits, so that test JVMs running side by side on one machine (parallel builds) never pick the same port.
 */
final class Ports {

    /** Ports handed out by this JVM; never handed out twice, so two servers of one run cannot collide. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    /** The cross-process claims on the ports handed out; kept reachable so that the locks last as long as the JVM. */
    private static final java.util.List<java.nio.channels.FileLock> CLAIMS =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private static final Path CLAIM_DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"), "domicile-ports");
    private static final int LOWEST = 20_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();

    private Ports() {
    }

    static int free() {
        if (EPHEMERAL_LOW - LOWEST >= 1_000) {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_LOW);
                if (!GIVEN.contains(port) && bindable(port) && claim(port) && GIVEN.add(port)) {
                    return port;
                }
            }
        }
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (!GIVEN.contains(port) && claim(port) && GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
    }

    /**
     * Claims {@code port} for this JVM against other processes on this machine; false if another JVM holds it. Where
     * the claim cannot be made at all (e.g. an unwritable temporary directory) the port is taken unclaimed.
     */
    private static boolean claim(int port) {
        try {
            Files.createDirectories(CLAIM_DIRECTORY);
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                    CLAIM_DIRECTORY.resolve(port + ".lock"), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            CLAIMS.add(lock);
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The low end of Linux's ephemeral port range, or {@link #LOWEST} (no preferred range) where unknown. Read as a
     * stream: {@code Files.readString} trusts the size procfs reports and returns only the first character here.
     */
    private static int ephemeralLow() {
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return LOWEST;
        }
    }
}
