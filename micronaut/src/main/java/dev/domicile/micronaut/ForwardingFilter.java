package dev.domicile.micronaut;

import dev.domicile.partition.Home;
import dev.domicile.partition.InvalidUserKeyException;
import dev.domicile.partition.SiteId;
import dev.domicile.router.Intent;
import dev.domicile.router.Router;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests that must run at the user's home there, and admits requests forwarded here. Runs before
 * {@link DomicileFilter}.
 *
 * <p>A request carrying {@value DomicileHeaders#FORWARDED} is admitted only if it came over TLS with a client
 * certificate the server verified (when {@code domicile.forwarding.tls.require-client-certificate} is set), its MAC
 * verifies under
 * {@code domicile.forwarding.secret} for this method, path and query, its hop count is 1, it names this site as home
 * and the request's user key, its deadline has not passed and its nonce was not admitted before ({@link ReplayGuard});
 * else it is answered {@code 403} ({@code 504} for a passed deadline) and never reaches a controller. An admitted request runs here whatever the policy, so a request is
 * forwarded at most once.
 *
 * <p>Any other request with a user key runs where {@link Placements} places it: here, or at another site (the
 * partition's owner with authority, the user's home site without), where it is forwarded (signed with the epoch known
 * here), redirected or rejected per {@link ForwardingPolicy}; or, when no site can be confirmed to write the
 * partition, nowhere ({@code 503} with {@code Retry-After}). Everything else, and requests without or with an invalid user key (answered by
 * {@link DomicileFilter}), management endpoints and unmatched routes, go on unchanged.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ForwardingFilter implements Ordered {

    /** Request attribute set when the request was forwarded out; its response already says where it was served. */
    static final String FORWARDED_OUT = "dev.domicile.forwarded-out";

    /**
     * Request attribute ({@link Routed}) set for every request to an application route (not a management endpoint),
     * so that {@link DomicileFilter} reuses what was found here instead of looking it up again.
     */
    static final String ROUTED = "dev.domicile.routed";

    private static final CharSequence FORWARDED_HEADER = DomicileHeaders.fast(DomicileHeaders.FORWARDED);

    /** Go on here; complete, and never completed again, so one instance serves every request. */
    private static final CompletableFuture<Optional<HttpResponse<?>>> PROCEED =
            CompletableFuture.completedFuture(Optional.empty());

    /**
     * What this filter found about a request to an application route.
     *
     * @param route    the route it matched
     * @param metadata the route's annotation metadata
     * @param user     the user key the {@link UserKeyResolver} resolved, if any
     */
    record Routed(RouteMatch<?> route, AnnotationMetadata metadata, Optional<String> user) {
    }

    private final ForwardingConfig config;
    private final Router router;
    private final UserKeyResolver users;
    private final HomeProxy proxy;
    private final Placements placements;
    private final List<DomicileEvents> events;
    private final Clock clock;
    private final SiteId localSite;
    private final ReplayGuard replays;

    @Inject
    ForwardingFilter(ForwardingConfig config, Router router, UserKeyResolver users, HomeProxy proxy,
                     @Nullable DomicileAuthority authority, List<DomicileEvents> events) {
        this(config, router, users, proxy, Optional.ofNullable(authority), events, Clock.systemUTC());
    }

    ForwardingFilter(ForwardingConfig config, Router router, UserKeyResolver users, HomeProxy proxy,
                     Optional<DomicileAuthority> authority, List<DomicileEvents> events, Clock clock) {
        this.config = config;
        this.router = router;
        this.users = users;
        this.proxy = proxy;
        this.events = List.copyOf(events);
        this.clock = clock;
        this.replays = new ReplayGuard(clock);
        this.localSite = router.localSite();
        this.placements = new Placements(config, localSite, authority);
    }

    /** Before {@link DomicileFilter} (order 0), so it never binds a context for a request that leaves. */
    @Override
    public int getOrder() {
        return -100;
    }

    /**
     * Decides where the request runs. The answer is a future of an optional response: empty to go on here (already
     * complete, so the server goes on at once, without the reactive machinery a filter continuation needs), or the
     * response that ends the request here (a refusal, a redirect, or the home site's answer to a forwarded request).
     */
    @RequestFilter
    CompletableFuture<Optional<HttpResponse<?>>> forward(HttpRequest<?> request) {
        RouteMatch<?> route = RouteAttributes.getRouteMatch(request).orElse(null);
        if (route == null) {
            return proceed();
        }
        AnnotationMetadata metadata = route.getAnnotationMetadata();
        if (RouteDeclarations.isEndpoint(metadata)) {
            return proceed();
        }
        Optional<String> user = users.resolve(request);
        request.setAttribute(ROUTED, new Routed(route, metadata, user));
        String forwarded = request.getHeaders().get(FORWARDED_HEADER);
        if (forwarded != null) {
            Optional<MutableHttpResponse<?>> refusal = uncertified(request)
                    .or(() -> admit(request.getMethodName(), target(request), forwarded, user));
            return refusal.isPresent() ? answer(refusal.get()) : proceed();
        }
        if (user.isEmpty()) {
            return proceed();
        }
        boolean write = RouteDeclarations.intent(request.getMethod(), metadata) == Intent.WRITE;
        if (placements.alwaysHere(write)) {
            return proceed(); // runs here whatever the home: no need to resolve it (an invalid key gets a 400 later)
        }
        Home home;
        try {
            home = router.forUser(user.get()).context().home();
        } catch (InvalidUserKeyException e) {
            return proceed();
        }
        Placement placement = placements.place(home, write);
        return switch (placement.kind()) {
            case HERE -> proceed();
            case UNAVAILABLE -> {
                events.forEach(e -> e.onUnavailable(placement));
                yield answer(answered(unavailable(placement), placement.site()));
            }
            case AT_SITE -> {
                events.forEach(e -> e.onSentAway(placement, config.policy()));
                yield switch (config.policy()) {
                    case FORWARD -> forwardTo(request, user.get(), placement, target(request));
                    case REDIRECT -> answer(answered(redirect(placement.site(), target(request)), placement.site()));
                    case REJECT -> answer(answered(HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .header(HttpHeaders.RETRY_AFTER, Long.toString(config.retryAfter().toSeconds()))
                            .body(Map.of("message", "this site does not run writes for users homed at "
                                    + placement.site().value() + " (domicile.forwarding.policy is REJECT)")),
                            placement.site()));
                    case LOCAL -> proceed(); // only reached at an edge-only site, which validation refuses
                };
            }
        };
    }

    /** Go on here: already complete, so the server goes on at once. */
    private static CompletableFuture<Optional<HttpResponse<?>>> proceed() {
        return PROCEED;
    }

    private static CompletableFuture<Optional<HttpResponse<?>>> answer(HttpResponse<?> response) {
        return CompletableFuture.completedFuture(Optional.of(response));
    }

    private CompletableFuture<Optional<HttpResponse<?>>> forwardTo(HttpRequest<?> request, String user, Placement placement,
                                                 String target) {
        ForwardingSignature signature = config.signature().orElseThrow();
        SiteId site = placement.site();
        ForwardedHeader signed = signature.sign(request.getMethodName(), target, user, site.value(),
                placement.epoch(), clock.millis() + config.timeout().toMillis(), 1);
        request.setAttribute(FORWARDED_OUT, site.value());
        return proxy.forward(request, site, config.baseUrls().get(site), target, signed)
                .thenApply(Optional::<HttpResponse<?>>of);
    }

    private MutableHttpResponse<?> redirect(SiteId site, String target) {
        java.net.URI baseUrl = config.baseUrls().get(site);
        if (baseUrl == null) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(config.retryAfter().toSeconds()))
                    .body(Map.of("message", "the request must run at " + site.value()
                            + ", which has no domicile.sites." + site.value() + ".base-url"));
        }
        String base = baseUrl.toString();
        String location = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + target;
        return HttpResponse.<Object>status(HttpStatus.valueOf(config.redirectStatus()))
                .header("Location", location)
                .body(Map.of("message", "run this request at the user's home site " + site.value(), "location",
                        location));
    }

    private static MutableHttpResponse<?> unavailable(Placement placement) {
        return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(RefusalResponses.seconds(placement.retryAfter())))
                .body(Map.of("message", "no site can be confirmed to write partition " + placement.partition().value()
                        + " now; retry later"));
    }

    private MutableHttpResponse<?> answered(MutableHttpResponse<?> response, SiteId home) {
        return response.header(DomicileHeaders.SITE, localSite.value()).header(DomicileHeaders.HOME, home.value());
    }

    /**
     * The refusal of a forwarded request that did not come over TLS with a client certificate the server verified,
     * when {@code domicile.forwarding.tls.require-client-certificate} asks for one; else empty.
     */
    private Optional<MutableHttpResponse<?>> uncertified(HttpRequest<?> request) {
        if (!config.tls().requireClientCertificate()) {
            return Optional.empty();
        }
        boolean secure = request.isSecure();
        if (secure && request.getCertificate().isPresent()) {
            return Optional.empty();
        }
        return refuse(HttpStatus.FORBIDDEN, "forwarded requests are accepted here only over TLS with a verified "
                + "client certificate (domicile.forwarding.tls.require-client-certificate); this one came "
                + (secure ? "without a client certificate" : "without TLS"));
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
        if (!replays.firstUse(header.nonce(), header.deadlineMillis())) {
            return refuse(HttpStatus.FORBIDDEN, "a replay of a forwarded request already admitted");
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
