package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code domicile.forwarding.tls.*}: mutual TLS between sites for forwarded requests, as written in the configuration;
 * checked into a {@link ForwardingTls}.
 *
 * @param keyStore                 {@code key-store}: a file holding this site's client key and certificate, presented
 *                                 when it forwards a request (to {@code https://} base URLs only)
 * @param keyStorePassword         {@code key-store-password}: its password (also the key's)
 * @param keyStoreType             {@code key-store-type}: {@code PKCS12} (default) or {@code JKS}
 * @param trustStore               {@code trust-store}: a file of the certificates a home site's server certificate must
 *                                 chain to when this site forwards; without it, the JDK's default trust
 * @param trustStorePassword       {@code trust-store-password}: its password
 * @param trustStoreType           {@code trust-store-type}: {@code PKCS12} (default) or {@code JKS}
 * @param requireClientCertificate {@code require-client-certificate}: accept a forwarded request only over TLS with a
 *                                 client certificate the server verified ({@code micronaut.server.ssl.*}), else
 *                                 {@code 403}
 */
@ConfigurationProperties("domicile.forwarding.tls")
record ForwardingTlsProperties(@Nullable String keyStore, @Nullable String keyStorePassword,
                               @Bindable(defaultValue = "PKCS12") String keyStoreType,
                               @Nullable String trustStore, @Nullable String trustStorePassword,
                               @Bindable(defaultValue = "PKCS12") String trustStoreType,
                               @Bindable(defaultValue = "false") boolean requireClientCertificate) {

    @Override
    public String toString() {
        return "ForwardingTlsProperties[keyStore=" + keyStore + ", keyStorePassword="
                + (keyStorePassword == null ? "(not set)" : "(hidden)") + ", keyStoreType=" + keyStoreType
                + ", trustStore=" + trustStore + ", trustStorePassword="
                + (trustStorePassword == null ? "(not set)" : "(hidden)") + ", trustStoreType=" + trustStoreType
                + ", requireClientCertificate=" + requireClientCertificate + "]";
    }
}
