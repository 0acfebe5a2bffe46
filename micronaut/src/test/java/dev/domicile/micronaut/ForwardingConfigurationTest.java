package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.SelfSignedCertificate;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken {@code domicile.forwarding.*} or {@code domicile.edge-only} rule stops start-up naming key and rule. */
class ForwardingConfigurationTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:9/app";

    private static Map<String, Object> valid() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("domicile.local-site", "eu-west");
        properties.put("domicile.sites.eu-west.base-url", "https://eu.example.com");
        properties.put("domicile.sites.us-east.base-url", "https://us.example.com");
        properties.put("domicile.sites.edge.base-url", "https://edge.example.com");
        properties.put("domicile.partitions.eu.home-site", "eu-west");
        properties.put("domicile.partitions.eu.primary.jdbc-url", URL);
        properties.put("domicile.partitions.us.home-site", "us-east");
        properties.put("domicile.partitions.us.primary.jdbc-url", URL);
        properties.put("domicile.forwarding.policy", "FORWARD");
        properties.put("domicile.forwarding.secret", ForwardingTest.SECRET);
        return properties;
    }

    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> properties = valid();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                properties.remove((String) keysAndValues[i]);
            } else {
                properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return properties;
    }

    private static ForwardingConfig config(Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            return context.getBean(ForwardingConfig.class);
        }
    }

    private static void assertStartFails(Map<String, Object> properties, String message) {
        assertThatThrownBy(() -> config(properties)).satisfies(e -> {
            Throwable cause = ConfigurationErrors.causeOf(e);
            assertThat(cause).isInstanceOf(DomicileConfigurationException.class).hasMessage(message);
        });
    }

    @Test
    void theDefaultsAreLocalWithoutSecret() {
        ForwardingConfig config = config(with("domicile.forwarding.policy", null, "domicile.forwarding.secret", null));
        assertThat(config.policy()).isEqualTo(ForwardingPolicy.LOCAL);
        assertThat(config.signature()).isEmpty();
        assertThat(config.edgeOnly()).isFalse();
        assertThat(config.redirectStatus()).isEqualTo(307);
        assertThat(config.timeout()).hasSeconds(10);
    }

    @Test
    void forwardNeedsALongEnoughSecretWhichIsNeverShown() {
        assertStartFails(with("domicile.forwarding.secret", null), "domicile.forwarding.secret = (not set): required "
                + "when domicile.forwarding.policy is FORWARD: the same secret of at least 32 bytes at every site");
        assertStartFails(with("domicile.forwarding.secret", "short-secret"), "domicile.forwarding.secret = "
                + "'(hidden, 12 bytes)': must be at least 32 bytes (UTF-8), is 12");
        assertStartFails(with("domicile.forwarding.policy", "REDIRECT", "domicile.forwarding.secret", "short-secret"),
                "domicile.forwarding.secret = '(hidden, 12 bytes)': must be at least 32 bytes (UTF-8), is 12");
    }

    @Test
    void homeSitesNeedABaseUrlWithoutPathToForwardTo() {
        assertStartFails(with("domicile.sites.us-east.base-url", null,
                "domicile.sites.us-east.redis-uri", "redis://us-redis:6379"), "domicile.sites.us-east.base-url = "
                + "(not set): required when domicile.forwarding.policy is FORWARD: site us-east is home to partition us");
        assertStartFails(with("domicile.sites.us-east.base-url", "https://us.example.com/app"),
                "domicile.sites.us-east.base-url = 'https://us.example.com/app': must have no path or query when "
                        + "domicile.forwarding.policy is FORWARD (the signed path is the one the home site receives)");
        assertThat(config(with("domicile.forwarding.policy", "REDIRECT",
                "domicile.sites.us-east.base-url", "https://us.example.com/app")).policy())
                .isEqualTo(ForwardingPolicy.REDIRECT);
    }

    @Test
    void redirectStatusRetryAfterAndTimeoutAreChecked() {
        assertStartFails(with("domicile.forwarding.redirect-status", 302), "domicile.forwarding.redirect-status = "
                + "'302': must be 307 (Temporary Redirect) or 421 (Misdirected Request)");
        assertStartFails(with("domicile.forwarding.retry-after", "500ms"), "domicile.forwarding.retry-after = "
                + "'PT0.5S': must be at least 1s (Retry-After counts whole seconds)");
        assertStartFails(with("domicile.forwarding.timeout", "0s"),
                "domicile.forwarding.timeout = 'PT0S': must be positive");
    }

    @Test
    void anEdgeOnlySiteForwardsOrRedirectsAndIsHomeToNoPartition() {
        assertThat(config(with("domicile.local-site", "edge", "domicile.edge-only", true)).edgeOnly()).isTrue();
        assertStartFails(with("domicile.local-site", "edge", "domicile.edge-only", true,
                "domicile.forwarding.policy", "LOCAL"), "domicile.forwarding.policy = 'LOCAL': must be FORWARD or "
                + "REDIRECT when domicile.edge-only is true (an edge site runs no user's requests)");
        assertStartFails(with("domicile.edge-only", true), "domicile.partitions.eu.home-site = 'eu-west': an "
                + "edge-only site (domicile.edge-only: true, domicile.local-site eu-west) may be home to no partition");
    }

    @Test
    void anEdgeOnlySiteMayDeclareNoDatabaseButThenNoneAndNoDefaultPartition() {
        Map<String, Object> edge = with("domicile.local-site", "edge", "domicile.edge-only", true,
                "domicile.partitions.eu.primary.jdbc-url", null, "domicile.partitions.us.primary.jdbc-url", null);
        try (ApplicationContext context = ApplicationContext.run(edge)) {
            assertThat(context.getBean(DomicileConfig.class).router()).isEmpty();
            assertThat(context.findBean(dev.domicile.router.RoutingDataSource.class)).isEmpty();
            assertThat(context.getBean(javax.sql.DataSource.class)).isInstanceOf(EdgeOnlyDataSource.class);
            assertThat(context.getBean(dev.domicile.router.Router.class).localSite().value()).isEqualTo("edge");
        }
        assertThatThrownBy(() -> new EdgeOnlyDataSource("edge").getConnection())
                .isInstanceOfSatisfying(EdgeOnlyException.class, e -> assertThat(e.getSQLState()).isEqualTo("DM002"));
        assertStartFails(with("domicile.local-site", "edge", "domicile.edge-only", true,
                "domicile.partitions.eu.primary.jdbc-url", null), "domicile.partitions.eu.primary.jdbc-url = "
                + "(not set): a jdbc:postgresql: URL is required");
        Map<String, Object> withDefault = new HashMap<>(edge);
        withDefault.put("domicile.router.default-partition", "eu");
        assertStartFails(withDefault, "domicile.router.default-partition = 'eu': must not be set when "
                + "domicile.edge-only is true: an edge-only site routes no connection without a user to a database");
    }

    @Test
    void tlsStoresAreLoadedAtStartUpAndBadOnesStopItNamingTheKey(@TempDir Path directory) {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(directory);
        String password = certificate.trustStorePassword();
        ForwardingConfig config = config(with("domicile.forwarding.tls.key-store", certificate.keyStore().toString(),
                "domicile.forwarding.tls.key-store-password", password,
                "domicile.forwarding.tls.trust-store", certificate.trustStore().toString(),
                "domicile.forwarding.tls.trust-store-password", password,
                "domicile.forwarding.tls.require-client-certificate", true));
        assertThat(config.tls().keyStore()).map(ForwardingTls.Store::path).contains(certificate.keyStore());
        assertThat(config.tls().trustStore()).map(ForwardingTls.Store::path).contains(certificate.trustStore());
        assertThat(config.tls().requireClientCertificate()).isTrue();
        assertThat(config.tls().toString()).doesNotContain(password);
        assertThat(config(valid()).tls()).isEqualTo(ForwardingTls.NONE);

        String keyStore = certificate.keyStore().toString();
        assertStartFails(with("domicile.forwarding.tls.key-store", keyStore,
                "domicile.forwarding.tls.key-store-password", "wrong"), "domicile.forwarding.tls.key-store = '"
                + keyStore + "': cannot be read as PKCS12 with domicile.forwarding.tls.key-store-password: "
                + "keystore password was incorrect");
        assertStartFails(with("domicile.forwarding.tls.key-store", keyStore),
                "domicile.forwarding.tls.key-store-password = (not set): required when "
                        + "domicile.forwarding.tls.key-store is set");
        assertStartFails(with("domicile.forwarding.tls.key-store", certificate.trustStore().toString(),
                "domicile.forwarding.tls.key-store-password", password), "domicile.forwarding.tls.key-store = '"
                + certificate.trustStore() + "': holds no private key entry");
        assertStartFails(with("domicile.forwarding.tls.trust-store", directory.resolve("missing.p12").toString(),
                "domicile.forwarding.tls.trust-store-password", password), "domicile.forwarding.tls.trust-store = '"
                + directory.resolve("missing.p12") + "': not a readable file");
        assertStartFails(with("domicile.forwarding.tls.key-store", keyStore,
                "domicile.forwarding.tls.key-store-password", password,
                "domicile.sites.us-east.base-url", "http://us.example.com"), "domicile.sites.us-east.base-url = "
                + "'http://us.example.com': must be https:// when domicile.forwarding.tls.key-store is set (a client "
                + "certificate is presented over TLS only)");
        assertStartFails(with("domicile.forwarding.tls.key-store", keyStore,
                "domicile.forwarding.tls.key-store-password", password, "domicile.forwarding.policy", "REDIRECT"),
                "domicile.forwarding.tls.key-store = '" + certificate.keyStore() + "': applies only when "
                        + "domicile.forwarding.policy is FORWARD, which is REDIRECT");
    }
}
