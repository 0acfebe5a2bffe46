package dev.domicile.benchmarks;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Domicile's request filters cost a Micronaut service, over loopback: {@code GET /ping} answered {@code pong} by
 * a trivial controller on two embedded servers in this JVM, one with Domicile switched off
 * ({@code domicile.enabled: false}) and one with it on (two partitions over the stub JDBC driver, a user header on
 * every request, policy LOCAL: the forwarding filter places the request, the routing filter resolves the user's home,
 * binds the routing context and writes the response headers; no statement runs). Each thread keeps one HTTP/1.1
 * keep-alive connection per server and sends a fixed request, so the client costs little. The figure that matters is
 * {@code ping / baselinePing} in throughput (target at least 0.90). Run one after the other, the two see different
 * load on a shared machine; the group {@code pairedPing} runs them at the same time, one thread each
 * ({@code pairedPing:pingPaired} and {@code pairedPing:baselinePingPaired}), so that load slows both alike: read the
 * ratio of those two. The warm-up is long (10 × 3 s) because both servers compile their request path for most of
 * the first ten seconds, the Domicile one longer; with JMH's usual 3 × 2 s the ratio still climbs through the
 * measurement (about 0.80 in the first iterations, 0.95 in the last). For scale, the group {@code pairedNoop} does the same for a third server whose only filters are
 * a request filter that adds one propagated context element and a response filter that sets one header
 * ({@link NoopFilter}): what Micronaut's filter machinery itself costs, the floor for any filter.
 *
 * <p>Also: signing a forwarded request and verifying it at the receiving site ({@code sign}, {@code encode},
 * {@code parse}, {@code verify} of the module's package-private {@code ForwardingSignature} and
 * {@code ForwardedHeader}, reached through method handles), target at most 5 µs, beside a bare HMAC-SHA256 of the
 * same input with a reused {@link Mac} ({@code baselineHmac}).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class FilterBenchmark {

    static final String SECRET = "a-benchmark-secret-of-at-least-32-bytes!";
    private static final byte[] REQUEST = ("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Domicile-User: alice\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private EmbeddedServer baseline;
    private EmbeddedServer domicile;
    private EmbeddedServer noop;

    /** The trivial endpoint both servers serve. */
    @Controller("/ping")
    public static class PingController {

        @Get(produces = MediaType.TEXT_PLAIN)
        public String ping() {
            return "pong";
        }
    }

    @Setup(Level.Trial)
    public void startServers() throws Exception {
        StubDriver.install();
        baseline = ApplicationContext.run(EmbeddedServer.class, Map.of("micronaut.server.host", "127.0.0.1",
                "micronaut.server.port", -1, "domicile.enabled", false));
        domicile = ApplicationContext.run(EmbeddedServer.class, domicileProperties());
        noop = ApplicationContext.run(EmbeddedServer.class, Map.of("micronaut.server.host", "127.0.0.1",
                "micronaut.server.port", -1, "domicile.enabled", false, "bench.noop-filter", true));
    }

    private static Map<String, Object> domicileProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("micronaut.server.port", -1);
        properties.put("domicile.local-site", "eu-west");
        properties.put("domicile.sites.eu-west.base-url", "http://127.0.0.1:1");
        properties.put("domicile.sites.us-east.base-url", "http://127.0.0.1:2");
        for (String site : new String[] {"eu-west", "us-east"}) {
            properties.put("domicile.partitions." + site + ".home-site", site);
            properties.put("domicile.partitions." + site + ".primary.jdbc-url", StubDriver.PRIMARY_URL);
            properties.put("domicile.partitions." + site + ".replicas[0].site", "eu-west");
            properties.put("domicile.partitions." + site + ".replicas[0].jdbc-url", StubDriver.REPLICA_URL);
        }
        properties.put("domicile.forwarding.secret", SECRET);
        return properties;
    }

    @TearDown(Level.Trial)
    public void stopServers() {
        if (domicile != null) {
            domicile.close();
        }
        if (baseline != null) {
            baseline.close();
        }
    }

    /** One keep-alive connection per thread to each server. */
    @State(Scope.Thread)
    public static class Connections {

        HttpConnection baseline;
        HttpConnection domicile;
        HttpConnection noop;

        @Setup(Level.Trial)
        public void open(FilterBenchmark servers) throws IOException {
            baseline = new HttpConnection(servers.baseline.getPort());
            domicile = new HttpConnection(servers.domicile.getPort());
            noop = new HttpConnection(servers.noop.getPort());
            if (baseline.get() != 200 || domicile.get() != 200) {
                throw new IllegalStateException("GET /ping does not answer 200");
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            baseline.close();
            domicile.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int baselinePing(Connections connections) throws IOException {
        return connections.baseline.get();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int ping(Connections connections) throws IOException {
        return connections.domicile.get();
    }

    @Benchmark
    @Group("pairedPing")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int baselinePingPaired(Connections connections) throws IOException {
        return connections.baseline.get();
    }

    @Benchmark
    @Group("pairedPing")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int pingPaired(Connections connections) throws IOException {
        return connections.domicile.get();
    }

    @Benchmark
    @Group("pairedNoop")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int baselinePingNoopPaired(Connections connections) throws IOException {
        return connections.baseline.get();
    }

    @Benchmark
    @Group("pairedNoop")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int noopPaired(Connections connections) throws IOException {
        return connections.noop.get();
    }

    /** A forwarding site signs; the home site parses and verifies. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean signAndVerify(Signing signing) throws Throwable {
        return Signing.roundTrip(signing.signature, signing.deadline);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public byte[] baselineHmac(Signing signing) {
        return signing.mac.doFinal(signing.input);
    }

    /** The signer under test and a bare HMAC over an input of the same size. */
    @State(Scope.Thread)
    public static class Signing {

        private static final MethodHandle NEW_SIGNATURE;
        private static final MethodHandle SIGN;
        private static final MethodHandle ENCODE;
        private static final MethodHandle PARSE;
        private static final MethodHandle VERIFY;

        static {
            try {
                Class<?> signature = Class.forName("dev.domicile.micronaut.ForwardingSignature");
                Class<?> header = Class.forName("dev.domicile.micronaut.ForwardedHeader");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(signature, MethodHandles.lookup());
                NEW_SIGNATURE = lookup.findConstructor(signature, MethodType.methodType(void.class, String.class))
                        .asType(MethodType.methodType(Object.class, String.class));
                SIGN = lookup.findVirtual(signature, "sign", MethodType.methodType(header, String.class, String.class,
                        String.class, String.class, long.class, long.class, int.class))
                        .asType(MethodType.methodType(Object.class, Object.class, String.class, String.class,
                                String.class, String.class, long.class, long.class, int.class));
                ENCODE = lookup.findVirtual(header, "encode", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                PARSE = lookup.findStatic(header, "parse", MethodType.methodType(header, String.class))
                        .asType(MethodType.methodType(Object.class, String.class));
                VERIFY = lookup.findVirtual(signature, "verify", MethodType.methodType(boolean.class, String.class,
                        String.class, header))
                        .asType(MethodType.methodType(boolean.class, Object.class, String.class, String.class,
                                Object.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Object signature;
        long deadline;
        Mac mac;
        byte[] input;

        @Setup(Level.Trial)
        public void setUp() throws Throwable {
            signature = (Object) NEW_SIGNATURE.invokeExact(SECRET);
            deadline = System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1);
            if (!roundTrip(signature, deadline)) {
                throw new IllegalStateException("a signed header does not verify");
            }
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            input = ("POST" + "/notes/hello?x=1" + "alice" + "eu-west").getBytes(StandardCharsets.UTF_8);
            input = java.util.Arrays.copyOf(input, input.length + 4 * 4 + 20);
        }

        static boolean roundTrip(Object signature, long deadline) throws Throwable {
            Object signed = (Object) SIGN.invokeExact(signature, "POST", "/notes/hello?x=1", "alice", "eu-west",
                    7L, deadline, 1);
            String wire = (String) ENCODE.invokeExact(signed);
            Object received = (Object) PARSE.invokeExact(wire);
            return (boolean) VERIFY.invokeExact(signature, "POST", "/notes/hello?x=1", received);
        }
    }

    /** A minimal HTTP/1.1 client on one keep-alive connection: a fixed GET, a Content-Length response. */
    static final class HttpConnection implements AutoCloseable {

        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] body = new byte[8192];

        HttpConnection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        /** Sends the request and reads the whole response; returns its status. */
        int get() throws IOException {
            out.write(REQUEST);
            out.flush();
            StringBuilder line = new StringBuilder(64);
            int status = -1;
            int length = -1;
            while (true) {
                readLine(line);
                if (line.isEmpty()) {
                    break;
                }
                if (status < 0) {
                    status = Integer.parseInt(line.substring(9, 12));
                } else if (line.length() > 15 && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (length < 0 || length > body.length) {
                throw new IOException("expected a Content-Length response of at most " + body.length + " bytes");
            }
            for (int read = 0; read < length; ) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    throw new IOException("connection closed in the body");
                }
                read += n;
            }
            return status;
        }

        private void readLine(StringBuilder line) throws IOException {
            line.setLength(0);
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed in the headers");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
