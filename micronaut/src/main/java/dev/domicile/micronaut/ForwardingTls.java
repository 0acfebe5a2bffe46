package dev.domicile.micronaut;

import dev.domicile.partition.SiteId;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated mutual-TLS settings of forwarding ({@code domicile.forwarding.tls.*}), made once at start-up.
 *
 * @param keyStore                 the client key store presented when forwarding, if set
 * @param trustStore               the trust store for home sites' server certificates when forwarding, if set
 * @param requireClientCertificate whether a forwarded request is accepted only over TLS with a verified client
 *                                 certificate
 */
record ForwardingTls(Optional<Store> keyStore, Optional<Store> trustStore, boolean requireClientCertificate) {

    /** No client certificate, the JDK's trust, nothing required. */
    static final ForwardingTls NONE = new ForwardingTls(Optional.empty(), Optional.empty(), false);

    ForwardingTls {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(trustStore, "trustStore");
    }

    /**
     * A key or trust store file that loaded with its password at start-up.
     *
     * @param path     the file
     * @param password its password (also the password of the key in a key store)
     * @param type     {@code PKCS12} or {@code JKS}
     */
    record Store(Path path, String password, String type) {

        Store {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return "Store[path=" + path + ", password=(hidden), type=" + type + "]";
        }
    }

    /**
     * Checks {@code properties} and loads the stores once.
     *
     * @param policy    the forwarding policy: the stores apply only to FORWARD
     * @param baseUrls  every site's base URL: with a key store, those of the other sites must be {@code https://}
     * @param localSite this site
     * @throws DomicileConfigurationException naming the key and the rule (never a password)
     */
    static ForwardingTls validate(ForwardingTlsProperties properties, ForwardingPolicy policy,
                                  Map<SiteId, URI> baseUrls, SiteId localSite) {
        Optional<Store> keyStore = store("domicile.forwarding.tls.key-store", properties.keyStore(),
                properties.keyStorePassword(), properties.keyStoreType(), true);
        Optional<Store> trustStore = store("domicile.forwarding.tls.trust-store", properties.trustStore(),
                properties.trustStorePassword(), properties.trustStoreType(), false);
        if ((keyStore.isPresent() || trustStore.isPresent()) && policy != ForwardingPolicy.FORWARD) {
            throw new DomicileConfigurationException(keyStore.isPresent() ? "domicile.forwarding.tls.key-store"
                    : "domicile.forwarding.tls.trust-store", keyStore.or(() -> trustStore).orElseThrow().path(),
                    "applies only when domicile.forwarding.policy is FORWARD, which is " + policy);
        }
        if (keyStore.isPresent()) {
            baseUrls.forEach((site, url) -> {
                if (!site.equals(localSite) && !"https".equals(url.getScheme())) {
                    throw new DomicileConfigurationException("domicile.sites." + site.value() + ".base-url", url,
                            "must be https:// when domicile.forwarding.tls.key-store is set (a client certificate "
                                    + "is presented over TLS only)");
                }
            });
        }
        return new ForwardingTls(keyStore, trustStore, properties.requireClientCertificate());
    }

    private static Optional<Store> store(String key, String path, String password, String type, boolean needsKey) {
        if (path == null) {
            if (password != null) {
                throw new DomicileConfigurationException(key + "-password", "(hidden)", "set without " + key);
            }
            return Optional.empty();
        }
        if (password == null) {
            throw new DomicileConfigurationException(key + "-password", null, "required when " + key + " is set");
        }
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new DomicileConfigurationException(key + "-type", type, "must be PKCS12 or JKS");
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new DomicileConfigurationException(key, path, "not a readable file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            boolean found = false;
            for (String alias : Collections.list(store.aliases())) {
                found |= store.isKeyEntry(alias) || (!needsKey && store.isCertificateEntry(alias));
            }
            if (!found) {
                throw new DomicileConfigurationException(key, path, needsKey ? "holds no private key entry"
                        : "holds no certificate");
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new DomicileConfigurationException(key, path, "cannot be read as " + type + " with "
                    + key + "-password: " + e.getMessage());
        }
        return Optional.of(new Store(file.toAbsolutePath(), password, type));
    }
}
