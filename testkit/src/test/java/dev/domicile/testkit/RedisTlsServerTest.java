package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The TLS Redis answers a client that trusts its certificate and checks the host name, refuses one that does not trust
 * it, has no plain-text listener, and keeps its data across a restart.
 */
class RedisTlsServerTest {

    @Test
    void aClientTrustingTheCertificateTalksTls() throws Exception {
        try (RedisTlsServer server = RedisTlsServer.start()) {
            assertThat(server.uri()).isEqualTo("rediss://127.0.0.1:" + server.node().port());
            assertThat(server.trustStore()).isRegularFile();
            List<String> pem = Files.readAllLines(server.caCertificate());
            assertThat(pem.getFirst()).isEqualTo("-----BEGIN CERTIFICATE-----");
            assertThat(pem.getLast()).isEqualTo("-----END CERTIFICATE-----");
            assertThat(pem.subList(1, pem.size() - 2)).allSatisfy(line -> assertThat(line).hasSize(64));

            try (SSLSocket socket = verifying(server.clientContext(), server.node())) {
                assertThat(Resp.call(socket, "SET", "k", "over tls")).isEqualTo("OK");
                assertThat(socket.getSession().getProtocol()).startsWith("TLSv1.");
            }
            server.stop();
            server.restart();
            try (SSLSocket socket = verifying(server.clientContext(), server.node())) {
                assertThat(Resp.call(socket, "GET", "k")).isEqualTo("over tls");
            }
        }
    }

    @Test
    void aClientWithoutTheCertificateIsRefused() throws Exception {
        try (RedisTlsServer server = RedisTlsServer.start()) {
            SSLContext jdkDefaults = SSLContext.getInstance("TLS");
            jdkDefaults.init(null, null, null);
            try (SSLSocket socket = verifying(jdkDefaults, server.node())) {
                assertThatThrownBy(() -> Resp.call(socket, "PING")).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void thereIsNoPlainTextListener() throws Exception {
        try (RedisTlsServer server = RedisTlsServer.start();
             Socket socket = new Socket(server.node().host(), server.node().port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply;
            try {
                reply = in.readNBytes(7);
            } catch (IOException e) {
                reply = new byte[0]; // reset by the server: no plain-text answer either
            }
            assertThat(new String(reply, StandardCharsets.US_ASCII)).doesNotContain("PONG");
        }
    }

    /** A TLS socket to {@code node} that checks the certificate's subject alternative names against the host. */
    private static SSLSocket verifying(SSLContext context, RedisNode node) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(node.host(), node.port());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }
}
