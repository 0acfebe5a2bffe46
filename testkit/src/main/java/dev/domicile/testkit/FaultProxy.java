package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that forwards to one target and injects faults on command: latency, blackhole, reset.
 *
 * <p>It listens on {@code 127.0.0.1} and a free port. Each accepted connection gets its own upstream connection and
 * two directions, each pumped by a reader and a writer (virtual threads, named after the proxy). Readers never wait
 * for the gate, so a blackholed connection still drains its socket into a bounded buffer; when the buffer is full the
 * reader blocks and the sender's TCP window closes, exactly as on a dead link.
 *
 * <p>Thread-safe. Lifecycle: {@link #start(String, InetSocketAddress)} returns a running proxy; {@link #close()}
 * stops accepting, resets every connection and is idempotent.
 */
public final class FaultProxy implements Link, AutoCloseable {

    private static final Duration UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Gate gate = new Gate();
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean closed;

    private FaultProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("domicile-proxy-" + name + "-accept").unstarted(this::acceptLoop);
    }

    /**
     * Starts a proxy in front of {@code target}.
     *
     * @param name   used in thread names and {@link #name()}
     * @param target where connections are forwarded; need not be up yet
     * @throws UncheckedIOException if no loopback port can be bound
     */
    public static FaultProxy start(String name, InetSocketAddress target) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        try {
            FaultProxy proxy = new FaultProxy(name, target);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port for proxy " + name, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The host clients connect to instead of the target. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** The port clients connect to instead of the target. */
    public int port() {
        return server.getLocalPort();
    }

    /** The proxied target. */
    public InetSocketAddress target() {
        return target;
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    @Override
    public void delay(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + latency);
        }
        gate.delay(latency.toNanos());
    }

    @Override
    public void blackhole() {
        gate.blackhole();
    }

    @Override
    public void reset() {
        for (ProxiedConnection connection : connections) {
            connection.reset();
        }
    }

    @Override
    public void heal() {
        gate.heal();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a listening socket only fails if it is already closed
        }
        reset();
        gate.heal();
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + name + " " + host() + ":" + port() + " -> " + target + ", " + gate + "]";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            long id = accepted.incrementAndGet();
            ProxiedConnection connection = new ProxiedConnection(name + "-c" + id, client, gate, connections::remove);
            connections.add(connection);
            Thread.ofVirtual().name("domicile-proxy-" + name + "-c" + id + "-connect")
                    .start(() -> connection.connect(target, UPSTREAM_CONNECT_TIMEOUT));
        }
    }

    static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
