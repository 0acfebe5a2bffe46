package dev.domicile.micronaut;

import dev.domicile.partition.InvalidUserKeyException;
import dev.domicile.partition.SiteId;
import dev.domicile.router.Intent;
import dev.domicile.router.Router;
import dev.domicile.router.RoutingDataSource;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterContinuation;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;

/**
 * Sends requests that must run at the user's home there, and admits requests forwarded here. Runs before
 * {@link DomicileFilter}.
 *
 * <p>A request carrying {@value DomicileHeaders#FORWARDED} is admitted only if its MAC verifies under
 * {@code domicile.forwarding.secret} for this method, path and query, its hop count is 1, it names this site as home
 * and the request's user key, and its deadline has not passed; else it is answered {@code 403} ({@code 504} for a
 * passed deadline) and never reaches a controller. An admitted request runs here whatever the policy, so a request is
 * forwarded at most once.
 *
 * <p>Any other request with a user key "must run at home" if this site is edge-only, or if the policy is not LOCAL,
 * its intent is WRITE ({@link RouteDeclarations#intent}) and the user's home site (from the partition map; the epoch
 * signed is 0 until the authority exists) is not this site. Such a request is forwarded, redirected or rejected per
 * {@link ForwardingPolicy}. Everything else, and requests without or with an invalid user key (answered by
 * {@link DomicileFilter}), management endpoints and unmatched routes, go on unchanged.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ForwardingFilter implements Ordered {

    /** Request attribute set when the request was forwarded out; its response already says where it was served. */
    static final String FORWARDED_OUT = "dev.domicile.forwarded-out";

    private static final long EPOCH_UNTIL_AUTHORITY = 0;

    private final ForwardingConfig config;
    private final Router router;
    private final UserKeyResolver users;
    private final HomeProxy proxy;
    private final Clock clock;
    private final SiteId localSite;

    @Inject
    ForwardingFilter(ForwardingConfig config, RoutingDataSource dataSource, UserKeyResolver users, HomeProxy proxy) {
        this(config, dataSource.router(), users, proxy, Clock.systemUTC());
    }

    ForwardingFilter(ForwardingConfig config, Router router, UserKeyResolver users, HomeProxy proxy, Clock clock) {
        this.config = config;
        this.router = router;
        this.users = users;
        this.proxy = proxy;
        this.clock = clock;
        this.localSite = router.localSite();
    }

    /** Before {@link DomicileFilter} (order 0), so it never binds a context for a request that leaves. */
    @Override
    public int getOrder() {
        return -100;
    }

    @RequestFilter
    Publisher<HttpResponse<?>> forward(HttpRequest<?> request, FilterContinuation<Publisher<HttpResponse<?>>> chain) {
        Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
        AnnotationMetadata metadata = route.map(RouteMatch::getAnnotationMetadata)
                .orElse(AnnotationMetadata.EMPTY_METADATA);
        if (route.isEmpty() || metadata.hasStereotype(Endpoint.class)) {
            return chain.proceed();
        }
        Optional<String> user = users.resolve(request);
        String target = target(request);
        Optional<String> forwarded = request.getHeaders().get(DomicileHeaders.FORWARDED, String.class);
        if (forwarded.isPresent()) {
            Optional<MutableHttpResponse<?>> refusal = admit(request.getMethodName(), target, forwarded.get(), user);
            return refusal.<Publisher<HttpResponse<?>>>map(Publishers::just).orElseGet(chain::proceed);
        }
        if (user.isEmpty()) {
            return chain.proceed();
        }
        SiteId home;
        try {
            home = router.forUser(user.get()).context().home().site();
        } catch (InvalidUserKeyException e) {
            return chain.proceed();
        }
        boolean write = RouteDeclarations.intent(request.getMethod(), metadata) == Intent.WRITE;
        boolean mustRunAtHome = config.edgeOnly()
                || (config.policy() != ForwardingPolicy.LOCAL && write && !home.equals(localSite));
        if (!mustRunAtHome) {
            return chain.proceed();
        }
        return switch (config.policy()) {
            case FORWARD -> forwardTo(request, user.get(), home, target);
            case REDIRECT -> Publishers.just(answered(redirect(home, target), home));
            case REJECT -> Publishers.just(answered(HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header("Retry-After", Long.toString(config.retryAfter().toSeconds()))
                    .body(Map.of("message", "this site does not run writes for users homed at " + home.value()
                            + " (domicile.forwarding.policy is REJECT)")), home));
            case LOCAL -> chain.proceed(); // only reached at an edge-only site, which validation refuses
        };
    }

    private Publisher<HttpResponse<?>> forwardTo(HttpRequest<?> request, String user, SiteId home, String target) {
        ForwardingSignature signature = config.signature().orElseThrow();
        ForwardedHeader signed = signature.sign(request.getMethodName(), target, user, home.value(),
                EPOCH_UNTIL_AUTHORITY, clock.millis() + config.timeout().toMillis(), 1);
        request.setAttribute(FORWARDED_OUT, home.value());
        return Publishers.fromCompletableFuture(() ->
                proxy.forward(request, home, config.baseUrls().get(home), target, signed));
    }

    private MutableHttpResponse<?> redirect(SiteId home, String target) {
        String base = config.baseUrls().get(home).toString();
        String location = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + target;
        return HttpResponse.<Object>status(HttpStatus.valueOf(config.redirectStatus()))
                .header("Location", location)
                .body(Map.of("message", "run this request at the user's home site " + home.value(), "location",
                        location));
    }

    private MutableHttpResponse<?> answered(MutableHttpResponse<?> response, SiteId home) {
        return response.header(DomicileHeaders.SITE, localSite.value()).header(DomicileHeaders.HOME, home.value());
    }

    /** The refusal of a request forwarded here, or empty if it is admitted. */
    private Optional<MutableHttpResponse<?>> admit(String method, String target, String value, Optional<String> user) {
        Optional<ForwardingSignature> signature = config.signature();
        if (signature.isEmpty()) {
            return refuse(HttpStatus.FORBIDDEN, "forwarded requests are not accepted here: "
                    + "domicile.forwarding.secret is not set");
        }
        ForwardedHeader header;
        try {
            header = ForwardedHeader.parse(value);
        } catch (IllegalArgumentException e) {
            return refuse(HttpStatus.FORBIDDEN, "malformed " + DomicileHeaders.FORWARDED + " header: "
                    + e.getMessage());
        }
        if (!signature.get().verify(method, target, header)) {
            return refuse(HttpStatus.FORBIDDEN, "the " + DomicileHeaders.FORWARDED + " signature does not verify");
        }
        if (header.hop() != 1) {
            return refuse(HttpStatus.FORBIDDEN, "hop " + header.hop() + ": a request is forwarded at most once");
        }
        if (!header.home().equals(localSite.value())) {
            return refuse(HttpStatus.FORBIDDEN, "forwarded to " + header.home() + ", this is " + localSite.value());
        }
        if (user.isEmpty() || !user.get().equals(header.user())) {
            return refuse(HttpStatus.FORBIDDEN, "the request's user key is not the one forwarded");
        }
        if (clock.millis() > header.deadlineMillis()) {
            return refuse(HttpStatus.GATEWAY_TIMEOUT, "the forwarded request's deadline has passed");
        }
        return Optional.empty();
    }

    private Optional<MutableHttpResponse<?>> refuse(HttpStatus status, String message) {
        return Optional.of(HttpResponse.status(status).body(Map.of("message", message))
                .header(DomicileHeaders.SITE, localSite.value()));
    }

    /** The request target as signed: raw path and, if any, raw query. */
    static String target(HttpRequest<?> request) {
        java.net.URI uri = request.getUri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}
