package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.SelfSignedCertificate;
import dev.domicile.testkit.Topology;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding over mutual TLS between real Micronaut servers on 127.0.0.1: {@code home} serves eu-west over HTTPS only,
 * asks for client certificates ({@code micronaut.server.ssl.client-authentication: want}) and accepts forwarded
 * requests only with one ({@code domicile.forwarding.tls.require-client-certificate}). A us-east service that presents
 * its certificate ({@code domicile.forwarding.tls.key-store}) has its forwarded write run at eu-west; one that
 * connects over TLS without a certificate, and one that forwards over plain HTTP to a home that requires it, are
 * refused with 403 before any controller runs. One self-signed certificate (testkit) is server certificate, client
 * certificate and the only trust anchor on every side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsForwardingTest {


    @TempDir
    static Path directory;
    private SelfSignedCertificate certificate;
    private Topology topology;
    private EmbeddedServer home;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        certificate = SelfSignedCertificate.create(directory);
        topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0).redis(false).start();
        TestApplication.createSchema(topology);
        Map<String, Object> properties = service("eu-west");
        String password = certificate.trustStorePassword();
        properties.put("micronaut.server.ssl.enabled", true);
        properties.put("micronaut.server.ssl.port", -1);
        properties.put("micronaut.server.ssl.build-self-signed", false);
        properties.put("micronaut.server.ssl.client-authentication", "want");
        properties.put("micronaut.server.ssl.key-store.path", "file:" + certificate.keyStore());
        properties.put("micronaut.server.ssl.key-store.password", password);
        properties.put("micronaut.server.ssl.key-store.type", "PKCS12");
        properties.put("micronaut.server.ssl.key.password", password);
        properties.put("micronaut.server.ssl.trust-store.path", "file:" + certificate.trustStore());
        properties.put("micronaut.server.ssl.trust-store.password", password);
        properties.put("micronaut.server.ssl.trust-store.type", "PKCS12");
        properties.put("domicile.forwarding.tls.require-client-certificate", true);
        home = TestApplication.start(properties);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    void stop() throws Exception {
        TestApplication.closeAll(http, home, topology);
    }

    /** A service in {@code site} with policy FORWARD on the topology's databases. */
    private Map<String, Object> service(String site) {
        Map<String, Object> properties = new HashMap<>(TestApplication.properties(topology, site));
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("domicile.forwarding.policy", "FORWARD");
        properties.put("domicile.forwarding.secret", ForwardingTest.SECRET);
        return properties;
    }

    /** A us-east service forwarding to {@code homeUrl}; with {@code clientCertificate} it presents the certificate. */
    private EmbeddedServer sender(String homeUrl, boolean clientCertificate) {
        Map<String, Object> properties = service("us-east");
        properties.put("domicile.sites.eu-west.base-url", homeUrl);
        String password = certificate.trustStorePassword();
        properties.put("domicile.forwarding.tls.trust-store", certificate.trustStore().toString());
        properties.put("domicile.forwarding.tls.trust-store-password", password);
        if (clientCertificate) {
            properties.put("domicile.forwarding.tls.key-store", certificate.keyStore().toString());
            properties.put("domicile.forwarding.tls.key-store-password", password);
        }
        return TestApplication.start(properties);
    }

    @Test
    void aForwardedWriteWithAClientCertificateRunsAtTheHome() throws Exception {
        assertThat(home.getURL().getProtocol()).isEqualTo("https");
        try (EmbeddedServer sender = sender(home.getURL().toString(), true)) {
            String user = userHomedAt("eu-west");
            HttpResponse<String> response = send(sender, "/notes/over-mtls", user);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue(DomicileHeaders.SITE)).contains("eu-west");
            assertThat(response.headers().firstValue(DomicileHeaders.HOME)).contains("eu-west");
            assertThat(notesOf(user)).isEqualTo(1);
        }
    }

    @Test
    void aForwardedRequestOverTlsWithoutAClientCertificateIsRefused() throws Exception {
        try (EmbeddedServer sender = sender(home.getURL().toString(), false)) {
            String user = userHomedAt("eu-west");
            HttpResponse<String> response = send(sender, "/notes/no-certificate", user);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(response.body()).contains("without a client certificate");
            assertThat(notesOf(user)).isZero();
        }
    }

    @Test
    void aForwardedRequestWithoutTlsIsRefusedWhereACertificateIsRequired() throws Exception {
        Map<String, Object> properties = service("eu-west");
        properties.put("domicile.forwarding.tls.require-client-certificate", true);
        try (EmbeddedServer plainHome = TestApplication.start(properties);
             EmbeddedServer sender = sender(plainHome.getURL().toString(), false)) {
            assertThat(plainHome.getURL().getProtocol()).isEqualTo("http");
            String user = userHomedAt("eu-west");
            HttpResponse<String> response = send(sender, "/notes/plain", user);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(response.body()).contains("without TLS");
            assertThat(notesOf(user)).isZero();
        }
    }

    private HttpResponse<String> send(EmbeddedServer server, String target, String user)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.getURI().resolve(target)).timeout(Duration.ofSeconds(60))
                .header(DomicileHeaders.USER, user).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int notesOf(String user) throws SQLException {
        return TestUsers.notesOf(topology, home.getApplicationContext(), user);
    }

    private String userHomedAt(String site) {
        return TestUsers.homedAt(home.getApplicationContext(), "mtls-", site);
    }
}
