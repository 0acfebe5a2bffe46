package dev.domicile.session;

import static dev.domicile.session.SessionStoreTest.found;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.RedisTlsServer;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * A region whose Redis speaks TLS only ({@code rediss://}, no plain-text listener, a self-signed certificate for
 * 127.0.0.1): with the certificate in the region's trust store, sessions are created, loaded, saved, logged out and
 * revoked; without it, or under a host name the certificate does not name, the store fails closed on the TLS handshake;
 * with a trust store it cannot open (wrong password) it fails closed too; a plain-text client gets no answer.
 */
class TlsRegionTest {

    private static RedisTlsServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisTlsServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void sessionsLiveInATlsRegion() {
        RegionConfig region = RegionConfig.single("eu-west", redis.uri())
                .trustStore(redis.trustStore(), redis.trustStorePassword()).build();
        try (RegionalSessionStore store = RegionalSessionStore.start(config(region))) {
            Session anonymous = store.create();
            Session session = store.save(store.authenticate(anonymous, "kim", "eu-west").edit()
                    .put("cart", "1 item").causalToken("eu-west", "0/16B3748"));
            assertThat(store.load(anonymous.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
            Session loaded = found(store.load(session.id().value()));
            assertThat(loaded.attribute("cart")).contains("1 item");
            assertThat(loaded.causalTokens().position("eu-west")).contains("0/16B3748");

            Session saved = store.save(loaded.edit().put("cart", "2 items"));
            assertThat(found(store.load(saved.id().value())).attribute("cart")).contains("2 items");
            RedissonClient raw = Redisson.create(RedissonConfigs.toRedisson(region));
            try {
                assertThat(raw.getKeys().countExists(session.id().redisKey()))
                        .as("the session is in the TLS Redis").isEqualTo(1);
            } finally {
                raw.shutdown();
            }

            Session other = store.authenticate(store.create(), "leo", "eu-west");
            store.invalidate(other.id());
            assertThat(store.load(other.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.NOT_FOUND));
            assertThat(store.revokeUser("kim").complete()).isTrue();
            assertThat(store.load(session.id().value()))
                    .isEqualTo(new SessionLookup.Missing(SessionLookup.Reason.REVOKED));
        }
    }

    @Test
    void withoutTheTrustStoreTheRegionFailsClosedOnTheHandshake() {
        RegionConfig untrusted = RegionConfig.single("eu-west", redis.uri()).build();

        assertThatThrownBy(() -> RegionalSessionStore.start(config(untrusted)).close())
                .isInstanceOf(RegionUnavailableException.class)
                .satisfies(e -> assertThat(causes(e)).as("failed in the TLS handshake, not after it")
                        .anyMatch(c -> c instanceof SSLException || c instanceof CertificateException));
    }

    @Test
    void aTrustStoreThatCannotBeReadFailsClosed() {
        RegionConfig wrongPassword = RegionConfig.single("eu-west", redis.uri())
                .trustStore(redis.trustStore(), "not-" + redis.trustStorePassword()).build();

        assertThatThrownBy(() -> RegionalSessionStore.start(config(wrongPassword)).close())
                .isInstanceOf(RegionUnavailableException.class);
    }

    @Test
    void hostNamesAreVerified() {
        // The certificate names IP 127.0.0.1 only; "localhost" resolves to that address but is not named.
        RegionConfig wrongName = RegionConfig.single("eu-west", "rediss://localhost:" + redis.node().port())
                .trustStore(redis.trustStore(), redis.trustStorePassword()).build();

        assertThatThrownBy(() -> RegionalSessionStore.start(config(wrongName)).close())
                .isInstanceOf(RegionUnavailableException.class)
                .satisfies(e -> assertThat(causes(e)).as("rejected for the host name")
                        .anyMatch(c -> c instanceof CertificateException
                                && String.valueOf(c.getMessage()).contains("localhost")));
    }

    @Test
    void aPlainTextClientGetsNoAnswer() {
        RegionConfig plain = RegionConfig.single("eu-west", "redis://127.0.0.1:" + redis.node().port()).build();

        assertThatThrownBy(() -> RegionalSessionStore.start(config(plain)).close())
                .isInstanceOf(RegionUnavailableException.class);
    }

    private static SessionStoreConfig config(RegionConfig region) {
        return SessionStoreConfig.builder("eu-west", SessionKeyRing.of(Fixtures.SECRET)).clock(Clock.systemUTC())
                .region(region).build();
    }

    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
