package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy on a plain echo server: pass, delay, blackhole, heal, reset. */
class FaultProxyTest {

    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = FaultProxy.start("echo", echo.address());
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(proxy.host(), proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void passesBytesBothWaysAndListensOnLoopback() throws IOException {
        assertThat(proxy.host()).isEqualTo("127.0.0.1");
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(roundTrip(socket, "x".repeat(100_000))).hasSize(100_000);
        }
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void delayAddsLatencyUntilHealed() throws IOException {
        try (Socket socket = connect()) {
            roundTrip(socket, "warm");
            proxy.delay(Duration.ofMillis(150));
            long t0 = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            long delayedMillis = (System.nanoTime() - t0) / 1_000_000;
            // 150 ms each way: a lower bound only, which no load can break
            assertThat(delayedMillis).isGreaterThanOrEqualTo(290);

            proxy.heal();
            long t1 = System.nanoTime();
            assertThat(roundTrip(socket, "fast")).isEqualTo("fast");
            assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(delayedMillis);
        }
    }

    @Test
    void blackholeSilencesOpenAndNewConnectionsAndHealDeliversWhatWasHeld() throws IOException {
        try (Socket before = connect()) {
            roundTrip(before, "ok");
            proxy.blackhole();
            before.setSoTimeout(500);
            before.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> before.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            try (Socket during = connect()) {
                during.setSoTimeout(500);
                during.getOutputStream().write("late".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> during.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                proxy.heal();
                before.setSoTimeout(5_000);
                during.setSoTimeout(5_000);
                assertThat(new String(before.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("held");
                assertThat(new String(during.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("late");
                assertThat(roundTrip(before, "again")).isEqualTo("again");
            }
        }
    }

    @Test
    void resetAbortsOpenConnectionsButAcceptsNewOnes() throws IOException {
        try (Socket victim = connect()) {
            roundTrip(victim, "ok");
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 1);
            proxy.reset();
            assertThatThrownBy(() -> {
                // The reset arrives as an exception or end-of-stream, depending on timing.
                victim.getOutputStream().write(new byte[1]);
                if (victim.getInputStream().read() < 0) {
                    throw new SocketException("end of stream");
                }
            }).isInstanceOf(IOException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
        }
        try (Socket fresh = connect()) {
            assertThat(roundTrip(fresh, "new")).isEqualTo("new");
        }
    }

    @Test
    void aTargetThatIsDownLooksLikeARefusedConnection() throws Exception {
        echo.close();
        try (Socket socket = connect()) {
            assertThatThrownBy(() -> {
                // The reset may surface at the write or at the read, depending on timing.
                socket.getOutputStream().write(1);
                if (socket.getInputStream().read() < 0) {
                    throw new SocketException("end of stream");
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void closeResetsConnectionsAndStopsListening() throws IOException {
        Socket open = connect();
        roundTrip(open, "ok");
        int port = proxy.port();
        proxy.close();
        proxy = null;
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        open.close();
    }

    @Test
    void rejectsNegativeLatency() {
        assertThatThrownBy(() -> proxy.delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
