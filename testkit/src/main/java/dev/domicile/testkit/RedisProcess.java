package dev.domicile.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} child process: the binary shipped in {@code org.signal:embedded-redis}, else the one on
 * the {@code PATH}. Data persists in an append-only file in its directory, so a restart keeps it.
 *
 * <p>A process may be given a configuration file (written once, then owned by Redis: Sentinel rewrites it) and extra
 * arguments; that is how {@link RedisSentinelGroup} runs replicas and Sentinels. With a certificate it listens for
 * TLS only ({@link RedisTlsServer}).
 */
final class RedisProcess {

    private static final String RESOURCE_VERSION = "7.0.15";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final RedisNode node;
    private final Path directory;
    private final Path log;
    private final String configuration;
    private final List<String> extraArguments;
    private final SelfSignedCertificate tls;
    private Process process;

    RedisProcess(RedisNode node, Path directory) {
        this(node, directory, null, List.of());
    }

    /**
     * @param configuration  contents of {@code redis.conf}, written before the first start and passed as the
     *                       configuration file; null for none
     * @param extraArguments appended to the command line (e.g. {@code --replicaof host port}, {@code --sentinel})
     */
    RedisProcess(RedisNode node, Path directory, String configuration, List<String> extraArguments) {
        this(node, directory, configuration, extraArguments, null);
    }

    /**
     * As {@link #RedisProcess(RedisNode, Path, String, List)}; with a non-null {@code tls}, the server listens on
     * {@code node.port()} for TLS only ({@code --port 0}: no plain TCP at all) with that certificate, and does not ask
     * clients for certificates.
     */
    RedisProcess(RedisNode node, Path directory, String configuration, List<String> extraArguments,
                 SelfSignedCertificate tls) {
        this.node = node;
        this.tls = tls;
        this.directory = directory;
        this.log = directory.resolve("redis.log");
        this.configuration = configuration;
        this.extraArguments = List.copyOf(extraArguments);
    }

    RedisNode node() {
        return node;
    }

    void start() {
        try {
            Files.createDirectories(directory);
            List<String> command = new ArrayList<>(List.of(binary().toString()));
            if (configuration != null) {
                Path file = directory.resolve("redis.conf");
                if (!Files.exists(file)) {
                    Files.writeString(file, configuration);
                }
                command.add(file.toString());
            }
            if (tls == null) {
                command.addAll(List.of("--port", Integer.toString(node.port())));
            } else {
                command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(node.port()),
                        "--tls-cert-file", tls.certificatePem().toString(),
                        "--tls-key-file", tls.privateKeyPem().toString(),
                        "--tls-ca-cert-file", tls.certificatePem().toString(), "--tls-auth-clients", "no"));
            }
            command.addAll(List.of("--bind", node.host(), "--protected-mode", "no", "--daemonize", "no",
                    "--dir", directory.toString(), "--logfile", log.toString()));
            if (!extraArguments.contains("--sentinel")) {
                command.addAll(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"));
            }
            command.addAll(extraArguments);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.out").toFile())
                    .start();
            Reaper.recordPid(directory, process);
        } catch (IOException e) {
            throw new TopologyException("cannot start redis-server for " + node.site() + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ping()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new TopologyException("Redis of " + node.site() + " (port " + node.port() + ") failed to start"
                        + (process.isAlive() ? " within " + START_TIMEOUT : ", exit " + process.exitValue())
                        + "\n--- tail of " + log + " ---\n" + Files2.tail(log, 30)
                        + "\n" + Files2.tail(directory.resolve("redis.out"), 10));
            }
            sleepQuietly(20);
        }
    }

    /** Stops with SIGTERM: Redis flushes its append-only file and exits. */
    void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** The command-line argument after {@code name} among the extra arguments. */
    String argumentAfter(String name) {
        int index = extraArguments.indexOf(name);
        if (index < 0 || index + 1 >= extraArguments.size()) {
            throw new IllegalArgumentException("no argument " + name + " for Redis " + node);
        }
        return extraArguments.get(index + 1);
    }

    /**
     * Kills the process with SIGKILL (and any child it forked, e.g. an append-only-file rewrite), as a crash would:
     * no shutdown, no final flush. What Redis had written to its append-only file before is kept by the operating
     * system, so {@link #start()} recovers it; what it had not written yet is lost.
     */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new TopologyException("Redis of " + node.site() + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    private boolean ping() {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(node.host(), node.port()), 500);
            plain.setSoTimeout(1000);
            Socket socket = tls == null ? plain
                    : tls.clientContext().getSocketFactory().createSocket(plain, node.host(), node.port(), true);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, 7);
            return n == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while waiting for Redis", e);
        }
    }

    private static Path binary() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String suffix = arch.equals("amd64") || arch.equals("x86_64") ? "amd64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : arch;
        String resource = "redis-server-" + RESOURCE_VERSION + "-linux-" + suffix;
        try (InputStream in = RedisProcess.class.getClassLoader().getResourceAsStream(resource)) {
            if (in != null) {
                byte[] bytes = in.readAllBytes();
                Path dir = BinaryCache.entry("redis-" + BinaryCache.digest(bytes), d -> {
                    Path file = d.resolve("redis-server");
                    Files.write(file, bytes);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
                });
                return dir.resolve("redis-server");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the class path", e);
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new TopologyException("no redis-server: neither " + resource + " (org.signal:embedded-redis) on the"
                + " class path nor redis-server on the PATH " + List.of(System.getenv().getOrDefault("PATH", "")));
    }
}
