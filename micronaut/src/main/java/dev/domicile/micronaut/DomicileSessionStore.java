package dev.domicile.micronaut;

import dev.domicile.router.RoutingContext;
import dev.domicile.session.IdVerification;
import dev.domicile.session.RegionalSessionStore;
import dev.domicile.session.SessionLookup;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.context.ServerRequestContext;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.session.InMemorySessionStore;
import io.micronaut.session.SessionStore;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Micronaut's {@link SessionStore} on the {@link RegionalSessionStore}: replaces the in-memory store when
 * {@code domicile.session.secret} is set. Every Redis call runs on the blocking executor, never on the event loop.
 *
 * <ul>
 *   <li>{@link #newSession()} touches no Redis: the session gets its signed id when it is first saved, created in
 *       the Redis of its user's home site (from the routing context of the request that made it), else of the
 *       local site.</li>
 *   <li>{@link #findSession} yields empty, never an error, for an id that is malformed, forged, expired, revoked or
 *       unknown, and for a session the cross-region policy FORWARD leaves at another site: the request then runs
 *       with a new session. A home Redis that is down fails the future
 *       ({@link dev.domicile.session.RegionUnavailableException}).</li>
 *   <li>{@link #save} writes the request's changes in one atomic edit; a session gone meanwhile fails the future
 *       ({@link dev.domicile.session.SessionGoneException}).</li>
 * </ul>
 */
@Singleton
@Requires(property = "domicile.session.secret")
@Replaces(InMemorySessionStore.class)
final class DomicileSessionStore implements SessionStore<DomicileSession> {

    private final RegionalSessionStore store;
    private final ExecutorService executor;
    private final Duration idleTimeout;
    private final Clock clock;

    DomicileSessionStore(RegionalSessionStore store, @Named(TaskExecutors.BLOCKING) ExecutorService executor) {
        this.store = store;
        this.executor = executor;
        this.idleTimeout = store.config().idleTimeout();
        this.clock = store.config().clock();
    }

    @Override
    public DomicileSession newSession() {
        DomicileSession session = new DomicileSession(idleTimeout, clock);
        ServerRequestContext.currentRequest()
                .flatMap(request -> request.getAttribute(DomicileFilter.CONTEXT_ATTRIBUTE, RoutingContext.class))
                .ifPresent(session::attach);
        return session;
    }

    @Override
    public CompletableFuture<Optional<DomicileSession>> findSession(String id) {
        return CompletableFuture.supplyAsync(() -> switch (store.load(id)) {
            case SessionLookup.Found found -> Optional.of(new DomicileSession(found.session(), idleTimeout));
            case SessionLookup.InvalidId ignored -> Optional.<DomicileSession>empty();
            case SessionLookup.Missing ignored -> Optional.<DomicileSession>empty();
            case SessionLookup.Forward ignored -> Optional.<DomicileSession>empty();
        }, executor);
    }

    @Override
    public CompletableFuture<Boolean> deleteSession(String id) {
        return CompletableFuture.supplyAsync(() -> {
            if (store.verify(id) instanceof IdVerification.Valid valid) {
                store.invalidate(valid.id());
                return true;
            }
            return false;
        }, executor);
    }

    @Override
    public CompletableFuture<DomicileSession> save(DomicileSession session) {
        return CompletableFuture.supplyAsync(() -> {
            dev.domicile.session.Session base = session.stored().orElseGet(() ->
                    store.create(session.homeSite().orElse(store.config().localSite())));
            session.saved(store.save(session.changes(base.edit())));
            return session;
        }, executor);
    }
}
