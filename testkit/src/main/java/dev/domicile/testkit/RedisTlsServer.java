package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A Redis that speaks TLS only, on 127.0.0.1: {@code --port 0} (no plain TCP listener) and {@code --tls-port}, with a
 * self-signed certificate made at start by the JDK's {@code keytool} (subject alternative name {@code IP:127.0.0.1}, so
 * clients can keep hostname verification on). Clients need not present a certificate ({@code tls-auth-clients no}).
 *
 * <p>Everything lives in a temporary directory deleted on {@link #close()}. {@link #start()} returns once a TLS
 * {@code PING} is answered. Not thread-safe; one test drives it. Data is kept in an append-only file, so
 * {@link #stop()} and {@link #restart()} keep it.
 */
public final class RedisTlsServer implements AutoCloseable {

    private final Path directory;
    private final SelfSignedCertificate certificate;
    private final RedisProcess process;

    private RedisTlsServer(Path directory, SelfSignedCertificate certificate, RedisProcess process) {
        this.directory = directory;
        this.certificate = certificate;
        this.process = process;
    }

    /**
     * Makes a certificate and starts the server on a free port.
     *
     * @throws TopologyException if the certificate cannot be made or the server does not answer within 30 s
     */
    public static RedisTlsServer start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("domicile-redis-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TLS Redis's directory", e);
        }
        try {
            SelfSignedCertificate certificate = SelfSignedCertificate.create(directory.resolve("tls"));
            RedisNode node = new RedisNode("tls", ZooKeeperServers.HOST, Ports.free());
            RedisTlsServer server = new RedisTlsServer(directory, certificate,
                    new RedisProcess(node, directory.resolve("data"), null, List.of(), certificate));
            try {
                server.process.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (RuntimeException e) {
            AbstractTopology.quietly("delete " + directory, () -> Files2.deleteRecursively(directory));
            throw e;
        }
    }

    /** Host and TLS port. */
    public RedisNode node() {
        return process.node();
    }

    /** The address a TLS client is configured with: {@code rediss://127.0.0.1:port}. */
    public String uri() {
        return "rediss://" + node().host() + ":" + node().port();
    }

    /** A PKCS12 trust store holding the server's certificate only. */
    public Path trustStore() {
        return certificate.trustStore();
    }

    /** The trust store's password. */
    public String trustStorePassword() {
        return certificate.trustStorePassword();
    }

    /** The server's certificate (self-signed, so also its CA certificate), PEM. */
    public Path caCertificate() {
        return certificate.certificatePem();
    }

    /** A client {@link SSLContext} trusting the server's certificate only. */
    public SSLContext clientContext() {
        return certificate.clientContext();
    }

    /** Stops with SIGTERM (Redis flushes its append-only file). */
    public void stop() {
        process.stop();
    }

    /** Starts again on the same port, with the same certificate and data. */
    public void restart() {
        process.start();
    }

    /** Stops the server and deletes the directory. Never throws. */
    @Override
    public void close() {
        AbstractTopology.quietly("stop the TLS Redis", process::stop);
        AbstractTopology.quietly("delete " + directory, () -> Files2.deleteRecursively(directory));
    }
}
