package dev.domicile.micronaut;

import dev.domicile.partition.InvalidUserKeyException;
import dev.domicile.router.CausalTokens;
import dev.domicile.router.Router;
import dev.domicile.router.RoutingContext;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.session.http.HttpSessionFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import java.util.Map;
import java.util.Optional;

/**
 * Binds each request's {@link RoutingContext}: resolves the user key ({@link UserKeyResolver}), the intent (HTTP
 * method or {@link ReadOnly}), the consistency ({@link Consistency} or the default) and the caller's causal tokens
 * ({@value DomicileHeaders#TOKENS}, merged with those of the request's {@link DomicileSession}, which Micronaut's
 * session filter has loaded by then; the session is then {@link DomicileSession#attach attached} to the context so
 * that the request's tokens are saved into it), makes the context and puts it into Micronaut's propagated context
 * ({@link RoutingContextElement}), so that it is bound on whichever thread runs the controller and unbound after.
 * On the response it writes {@value DomicileHeaders#SITE}, and for a request with a user
 * {@value DomicileHeaders#HOME} and the tokens as they stand after the request.
 *
 * <p>Answers 400 for a malformed tokens header, an invalid user key, or a missing one when
 * {@code domicile.filter.missing-user} is {@code REJECT}. Requests that match no route and management endpoints
 * ({@code /health}, {@code /domicile}) are passed through untouched, so load balancers need no user key.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class DomicileFilter {

    static final String CONTEXT_ATTRIBUTE = "dev.domicile.routing-context";

    private final Router router;
    private final UserKeyResolver users;
    private final MissingUserKey missingUser;
    private final RouteDeclarations declarations;
    private final String localSite;

    DomicileFilter(Router router, UserKeyResolver users, FilterProperties properties,
                   ConversionService conversion) {
        this.router = router;
        this.users = users;
        this.missingUser = properties.missingUser();
        this.declarations = new RouteDeclarations(conversion);
        this.localSite = router.localSite().value();
    }

    /** Makes and propagates the routing context; a non-null return answers the request instead of the controller. */
    @RequestFilter
    @Nullable
    HttpResponse<?> bind(HttpRequest<?> request, MutablePropagatedContext propagated) {
        Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
        AnnotationMetadata metadata = route.map(RouteMatch::getAnnotationMetadata).orElse(AnnotationMetadata.EMPTY_METADATA);
        if (route.isEmpty() || RouteDeclarations.isEndpoint(metadata)) {
            return null; // nothing of the application runs: a 404, or a management endpoint
        }
        Optional<String> user = users.resolve(request);
        if (user.isEmpty()) {
            return missingUser == MissingUserKey.REJECT
                    ? badRequest("the request carries no user key (domicile.filter.missing-user is REJECT)")
                    : null;
        }
        CausalTokens tokens;
        try {
            tokens = CausalTokens.parse(request.getHeaders().get(DomicileHeaders.TOKENS));
        } catch (IllegalArgumentException e) {
            return badRequest("malformed " + DomicileHeaders.TOKENS + " header: " + e.getMessage());
        }
        Optional<DomicileSession> session = request.getAttribute(HttpSessionFilter.SESSION_ATTRIBUTE)
                .filter(DomicileSession.class::isInstance).map(DomicileSession.class::cast);
        if (session.isPresent()) {
            tokens = tokens.merge(session.get().routerTokens());
        }
        RoutingContext context;
        try {
            Router.Request routing = router.forUser(user.get())
                    .intent(RouteDeclarations.intent(request.getMethod(), metadata))
                    .tokens(tokens);
            declarations.consistency(metadata, route.get())
                    .ifPresent(routing::consistency);
            context = routing.context();
        } catch (InvalidUserKeyException e) {
            return badRequest("invalid user key: " + e.getMessage());
        }
        session.ifPresent(found -> found.attach(context));
        request.setAttribute(CONTEXT_ATTRIBUTE, context);
        propagated.add(new RoutingContextElement(context));
        return null;
    }

    /** Says where the response was served, and hands the caller its tokens for the next request. */
    @ResponseFilter
    void describe(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (request.getAttribute(ForwardingFilter.FORWARDED_OUT).isPresent()) {
            return; // the home site's response already says where it was served
        }
        response.header(DomicileHeaders.SITE, localSite);
        request.getAttribute(CONTEXT_ATTRIBUTE).filter(RoutingContext.class::isInstance).map(RoutingContext.class::cast)
                .ifPresent(context -> {
            response.header(DomicileHeaders.HOME, context.home().site().value());
            String tokens = context.tokens().encode();
            if (!tokens.isEmpty()) {
                response.header(DomicileHeaders.TOKENS, tokens);
            }
        });
    }

    private static HttpResponse<?> badRequest(String message) {
        return HttpResponse.badRequest(Map.of("message", message));
    }
}
