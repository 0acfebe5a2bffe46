package dev.domicile.sample.app;

import dev.domicile.micronaut.DomicileConfig;
import dev.domicile.micronaut.DomicileHeaders;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Counts every answer to {@code /notes} in {@link Traffic}. Ordered before Domicile's forwarding filter, so it also
 * sees the answers of requests forwarded to the home region, and the forwarding filter's refusals.
 */
@ServerFilter("/notes/**")
final class TrafficFilter implements Ordered {

    private final Traffic traffic;
    private final String localSite;

    TrafficFilter(Traffic traffic, DomicileConfig config) {
        this.traffic = traffic;
        this.localSite = config.localSite().value();
    }

    @Override
    public int getOrder() {
        return -1000;
    }

    @ResponseFilter
    void count(MutableHttpResponse<?> response) {
        traffic.count(response.code(), response.getHeaders().get(DomicileHeaders.SITE), localSite);
    }
}
