package dev.domicile.benchmarks;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.core.propagation.PropagatedContextElement;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/** The least a request filter pair can do: for FilterBenchmark's floor experiment. */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(property = "bench.noop-filter", value = "true")
final class NoopFilter {

    record Element(String user) implements PropagatedContextElement {
    }

    @RequestFilter
    void bind(HttpRequest<?> request, MutablePropagatedContext propagated) {
        propagated.add(new Element(request.getHeaders().get("X-Domicile-User")));
    }

    @ResponseFilter
    void describe(MutableHttpResponse<?> response) {
        response.header("X-Domicile-Site", "eu-west");
    }
}
