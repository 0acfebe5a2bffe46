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
import io.micronaut.web.router.RouteMatch;
import java.util.Map;
import java.util.Optional;

/**
 * Binds each request's {@link RoutingContext}: takes the route and the user key ({@link UserKeyResolver}) that
 * {@link ForwardingFilter}, which runs first, found ({@link ForwardingFilter.Routed}), resolves the intent (HTTP
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

    private static final CharSequence TOKENS_HEADER = DomicileHeaders.fast(DomicileHeaders.TOKENS);
    private static final CharSequence SITE_HEADER = DomicileHeaders.fast(DomicileHeaders.SITE);
    private static final CharSequence HOME_HEADER = DomicileHeaders.fast(DomicileHeaders.HOME);

    private final Router router;
    private final MissingUserKey missingUser;
    private final RouteDeclarations declarations;
    /** The local site's name as a header value ({@link DomicileHeaders#fast}: ASCII is validated faster). */
    private final CharSequence localSite;

    DomicileFilter(Router router, FilterProperties properties, ConversionService conversion) {
        this.router = router;
        this.missingUser = properties.missingUser();
        this.declarations = new RouteDeclarations(conversion);
        this.localSite = DomicileHeaders.fast(router.localSite().value());
    }

    /** Makes and propagates the routing context; a non-null return answers the request instead of the controller. */
    @RequestFilter
    @Nullable
    HttpResponse<?> bind(HttpRequest<?> request, MutablePropagatedContext propagated) {
        if (!(request.getAttribute(ForwardingFilter.ROUTED).orElse(null) instanceof ForwardingFilter.Routed routed)) {
            return null; // nothing of the application runs: a 404, or a management endpoint
        }
        RouteMatch<?> route = routed.route();
        AnnotationMetadata metadata = routed.metadata();
        Optional<String> user = routed.user();
        if (user.isEmpty()) {
            return missingUser == MissingUserKey.REJECT
                    ? badRequest("the request carries no user key (domicile.filter.missing-user is REJECT)")
                    : null;
        }
        CausalTokens tokens;
        try {
            tokens = CausalTokens.parse(request.getHeaders().get(TOKENS_HEADER));
        } catch (IllegalArgumentException e) {
            return badRequest("malformed " + DomicileHeaders.TOKENS + " header: " + e.getMessage());
        }
        DomicileSession session = request.getAttribute(HttpSessionFilter.SESSION_ATTRIBUTE).orElse(null)
                instanceof DomicileSession found ? found : null;
        if (session != null) {
            tokens = tokens.merge(session.routerTokens());
        }
        RoutingContext context;
        try {
            Router.Request routing = router.forUser(user.get())
                    .intent(RouteDeclarations.intent(request.getMethod(), metadata))
                    .tokens(tokens);
            Optional<dev.domicile.router.Consistency> consistency = declarations.consistency(metadata, route);
            if (consistency.isPresent()) {
                routing.consistency(consistency.get());
            }
            context = routing.context();
        } catch (InvalidUserKeyException e) {
            return badRequest("invalid user key: " + e.getMessage());
        }
        if (session != null) {
            session.attach(context);
        }
        request.setAttribute(CONTEXT_ATTRIBUTE, context);
        propagated.add(new RoutingContextElement(context));
        return null;
    }

    /** Says where the response was served, and hands the caller its tokens for the next request. */
    @ResponseFilter
    void describe(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (request.getAttribute(CONTEXT_ATTRIBUTE).orElse(null) instanceof RoutingContext context) {
            // bound by bind, so served here: a request forwarded out never reaches bind
            response.header(SITE_HEADER, localSite);
            response.header(HOME_HEADER, context.home().site().value());
            String tokens = context.tokens().encode();
            if (!tokens.isEmpty()) {
                response.header(TOKENS_HEADER, tokens);
            }
            return;
        }
        if (request.getAttribute(ForwardingFilter.FORWARDED_OUT).isPresent()) {
            return; // the home site's response already says where it was served
        }
        response.header(SITE_HEADER, localSite);
    }

    private static HttpResponse<?> badRequest(String message) {
        return HttpResponse.badRequest(Map.of("message", message));
    }
}
