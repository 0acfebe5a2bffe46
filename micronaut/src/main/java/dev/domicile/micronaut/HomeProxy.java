package dev.domicile.micronaut;

import dev.domicile.partition.SiteId;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.ProxyHttpClient;
import io.micronaut.http.ssl.ClientSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies a request to a home site with Micronaut's {@link ProxyHttpClient}: the request body and the response body
 * are streamed, not buffered, so there is no size limit. One client per site with a {@code base-url}, made when the
 * policy is FORWARD and closed by {@link #close()}; its read timeout is {@code domicile.forwarding.timeout}. With
 * {@code domicile.forwarding.tls.key-store} it presents this site's client certificate (mutual TLS), and with
 * {@code tls.trust-store} it trusts only that store's anchors for the home sites' server certificates.
 *
 * <p>The forwarded request keeps the client's headers except its {@code X-Domicile-*} headers: only the user header
 * and {@value DomicileHeaders#TOKENS} pass, and {@value DomicileHeaders#FORWARDED} is set to the signed header. A home
 * site that cannot be reached, or does not answer in time, gives {@code 502 Bad Gateway}. Thread-safe.
 */
final class HomeProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HomeProxy.class);

    private final Map<SiteId, ProxyHttpClient> clients = new ConcurrentHashMap<>();
    private final String userHeader;

    HomeProxy(ForwardingConfig config, SiteId localSite, String userHeader) {
        this.userHeader = userHeader;
        if (config.policy() != ForwardingPolicy.FORWARD) {
            return;
        }
        DefaultHttpClientConfiguration http = new DefaultHttpClientConfiguration();
        http.setReadTimeout(config.timeout());
        http.setFollowRedirects(false);
        if (config.tls().keyStore().isPresent() || config.tls().trustStore().isPresent()) {
            http.setSslConfiguration(ssl(config.tls()));
        }
        config.baseUrls().forEach((site, url) -> {
            if (!site.equals(localSite)) {
                try {
                    clients.put(site, ProxyHttpClient.create(url.toURL(), http));
                } catch (MalformedURLException e) {
                    throw new DomicileConfigurationException("domicile.sites." + site.value() + ".base-url", url,
                            "not a URL: " + e.getMessage());
                }
            }
        });
    }

    /**
     * Sends {@code request} to {@code home} at {@code target} (path and query) with {@code signed}; completes with the
     * home's response, or a 502 answer if it could not be had. Never completes exceptionally.
     */
    CompletableFuture<HttpResponse<?>> forward(HttpRequest<?> request, SiteId home, URI baseUrl, String target,
                                               ForwardedHeader signed) {
        ProxyHttpClient client = clients.get(home);
        if (client == null) {
            return CompletableFuture.completedFuture(badGateway(home, "no client for the site"));
        }
        MutableHttpRequest<?> outgoing = request.mutate().uri(baseUrl.resolve(target));
        for (String name : outgoing.getHeaders().names().toArray(String[]::new)) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-domicile-") && !name.equalsIgnoreCase(userHeader)
                    && !name.equalsIgnoreCase(DomicileHeaders.TOKENS)) {
                outgoing.getHeaders().remove(name);
            }
        }
        outgoing.getHeaders().set(DomicileHeaders.FORWARDED, signed.encode());
        return SingleResponse.of(client.proxy(outgoing))
                .<HttpResponse<?>>thenApply(response -> response)
                .exceptionally(error -> {
                    LOG.warn("forwarding {} {} to {} failed", request.getMethodName(), target, home.value(), error);
                    return badGateway(home, String.valueOf(error.getMessage()));
                });
    }

    /** The client's TLS: this site's certificate from the key store, and the trust store's anchors. */
    private static ClientSslConfiguration ssl(ForwardingTls tls) {
        ClientSslConfiguration ssl = new ClientSslConfiguration();
        ssl.setEnabled(true);
        tls.keyStore().ifPresent(store -> {
            SslConfiguration.KeyStoreConfiguration keyStore = new SslConfiguration.KeyStoreConfiguration();
            keyStore.setPath("file:" + store.path());
            keyStore.setPassword(store.password());
            keyStore.setType(store.type());
            ssl.setKeyStore(keyStore);
            SslConfiguration.KeyConfiguration key = new SslConfiguration.KeyConfiguration();
            key.setPassword(store.password());
            ssl.setKey(key);
        });
        tls.trustStore().ifPresent(store -> {
            SslConfiguration.TrustStoreConfiguration trustStore = new SslConfiguration.TrustStoreConfiguration();
            trustStore.setPath("file:" + store.path());
            trustStore.setPassword(store.password());
            trustStore.setType(store.type());
            ssl.setTrustStore(trustStore);
        });
        return ssl;
    }

    private static HttpResponse<?> badGateway(SiteId home, String why) {
        return HttpResponse.status(HttpStatus.BAD_GATEWAY)
                .body(Map.of("message", "forwarding to home site " + home.value() + " failed: " + why));
    }

    /** Closes every client; idempotent. */
    @Override
    public void close() {
        for (ProxyHttpClient client : clients.values()) {
            if (client instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("closing a forwarding client failed", e);
                }
            }
        }
        clients.clear();
    }
}
