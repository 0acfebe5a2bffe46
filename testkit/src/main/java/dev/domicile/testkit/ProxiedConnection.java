package dev.domicile.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.function.Consumer;

/** One client connection through a {@link FaultProxy} and its upstream twin, pumped in both directions. */
final class ProxiedConnection {

    /** Bytes held per direction before the reader stops reading (and the sender's window closes). */
    private static final int QUEUE_CHUNKS = 64;
    private static final int CHUNK_BYTES = 16 * 1024;
    private static final byte[] EOF = new byte[0];

    private record Chunk(byte[] bytes, long readAtNanos) {
    }

    private final String name;
    private final Socket client;
    private final Gate gate;
    private final Consumer<ProxiedConnection> onClosed;
    private final AtomicInteger openDirections = new AtomicInteger(2);
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Socket upstream;
    private volatile boolean closed;

    ProxiedConnection(String name, Socket client, Gate gate, Consumer<ProxiedConnection> onClosed) {
        this.name = name;
        this.client = client;
        this.gate = gate;
        this.onClosed = onClosed;
    }

    void connect(InetSocketAddress target, Duration timeout) {
        Socket socket = new Socket();
        try {
            gate.awaitOpen();
            if (closed) {
                FaultProxy.closeQuietly(socket);
                return;
            }
            socket.setTcpNoDelay(true);
            socket.connect(target, (int) timeout.toMillis());
            client.setTcpNoDelay(true);
            upstream = socket;
            if (closed) {
                reset();
                return;
            }
            pump("up", client, socket);
            pump("down", socket, client);
        } catch (IOException e) {
            // The target is down or refused us: the client sees its connection reset, as with a refused connect.
            FaultProxy.closeQuietly(socket);
            reset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reset();
        }
    }

    private void pump(String direction, Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
        pumps.add(Thread.ofVirtual().name("domicile-proxy-" + name + "-" + direction + "-read").start(() -> read(from, queue)));
        pumps.add(Thread.ofVirtual().name("domicile-proxy-" + name + "-" + direction + "-write").start(() -> write(queue, to)));
        if (closed) {
            stopPumps();
        }
    }

    private void read(Socket from, BlockingQueue<Chunk> queue) {
        byte[] buffer = new byte[CHUNK_BYTES];
        try {
            InputStream in = from.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime()));
            }
            queue.put(new Chunk(EOF, System.nanoTime()));
        } catch (IOException e) {
            reset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reset();
        }
    }

    private void write(BlockingQueue<Chunk> queue, Socket to) {
        try {
            OutputStream out = to.getOutputStream();
            while (!closed) {
                Chunk chunk = queue.take();
                gate.awaitDelivery(chunk.readAtNanos());
                if (closed) {
                    return;
                }
                if (chunk.bytes() == EOF) {
                    to.shutdownOutput();
                    if (openDirections.decrementAndGet() == 0) {
                        close();
                    }
                    return;
                }
                out.write(chunk.bytes());
                out.flush();
            }
        } catch (IOException e) {
            reset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reset();
        }
    }

    /** Aborts both sides with a TCP reset. Idempotent. */
    void reset() {
        shutDown(true);
    }

    private void close() {
        shutDown(false);
    }

    private void shutDown(boolean abort) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        Socket up = upstream;
        for (Socket socket : up == null ? List.of(client) : List.of(client, up)) {
            if (abort) {
                FaultProxy.resetQuietly(socket);
            } else {
                FaultProxy.closeQuietly(socket);
            }
        }
        stopPumps();
        onClosed.accept(this);
    }

    /** Wakes pumps parked on the queue or the gate so that none outlives the connection. */
    private void stopPumps() {
        for (Thread pump : pumps) {
            if (pump != Thread.currentThread()) {
                pump.interrupt();
            }
        }
    }
}
