package dev.domicile.benchmarks;

import dev.domicile.testkit.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the testkit's {@link FaultProxy} adds to a request/response round trip on loopback, when it injects no fault.
 * Fault tests measure timeouts against this: a healthy proxied link must stay far below any timeout a test uses.
 *
 * <p>Baseline: the same round trip straight to the echo server. The figure that matters is
 * {@code proxiedRoundTrip / baselineDirectRoundTrip}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FaultProxyBenchmark {

    @Param({"64", "8192"})
    public int payloadBytes;

    private ServerSocket echoServer;
    private Thread echoThread;
    private FaultProxy proxy;
    private Socket direct;
    private Socket proxied;
    private byte[] payload;
    private byte[] reply;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = Thread.ofPlatform().daemon().name("benchmark-echo-accept").start(this::acceptEchoClients);
        proxy = FaultProxy.start("benchmark", new InetSocketAddress(InetAddress.getLoopbackAddress(),
                echoServer.getLocalPort()));
        direct = connect(echoServer.getLocalPort());
        proxied = connect(proxy.port());
        payload = new byte[payloadBytes];
        reply = new byte[payloadBytes];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        direct.close();
        proxied.close();
        proxy.close();
        echoServer.close();
        echoThread.join(5_000);
    }

    @Benchmark
    public byte[] baselineDirectRoundTrip() throws IOException {
        return roundTrip(direct);
    }

    @Benchmark
    public byte[] proxiedRoundTrip() throws IOException {
        return roundTrip(proxied);
    }

    private byte[] roundTrip(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(payload);
        out.flush();
        int read = socket.getInputStream().readNBytes(reply, 0, reply.length);
        if (read != reply.length) {
            throw new IOException("echo closed after " + read + " bytes");
        }
        return reply;
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        return socket;
    }

    private void acceptEchoClients() {
        while (!echoServer.isClosed()) {
            try {
                Socket client = echoServer.accept();
                client.setTcpNoDelay(true);
                Thread.ofVirtual().name("benchmark-echo").start(() -> echo(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the benchmark closed the connection
        }
    }
}
