package dev.domicile.micronaut;

import dev.domicile.partition.PartitionId;
import dev.domicile.router.CausalTokens;
import dev.domicile.router.RoutingContext;
import dev.domicile.session.SessionEdit;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.convert.value.MutableConvertibleValues;
import io.micronaut.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Micronaut {@link Session} over a Domicile session ({@link dev.domicile.session.Session}): a snapshot plus the
 * changes made during the request, written by {@link DomicileSessionStore#save} in one atomic edit.
 *
 * <p>Adaptations to Micronaut's contract: a new session has no id (an empty string) until it is saved, because ids
 * are the store's signed ids, issued when the session is created in its home Redis; attribute values are stored as
 * text, so only {@link CharSequence}s, numbers, booleans, characters and enums are accepted ({@link #put} refuses
 * others) and reads convert the text to the type asked for; the inactivity timeout is the store's
 * ({@code domicile.session.idle-timeout}) for every session, so {@link #setMaxInactiveInterval} refuses other values.
 * The router's causal tokens are kept beside the attributes: {@link #routerTokens()} are read into the next
 * request's routing context, and the tokens of the context {@link #attach attached} are written when it is saved.
 * Synchronized: one request at a time uses a session object.
 */
final class DomicileSession implements Session {

    private dev.domicile.session.Session stored;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final Map<String, String> puts = new LinkedHashMap<>();
    private final Set<String> removes = new LinkedHashSet<>();
    private final Duration idleTimeout;
    private final Instant createdAt;
    private Instant lastAccessedAt;
    private String homeSite;
    private RoutingContext context;

    /** A new session, not stored yet. */
    DomicileSession(Duration idleTimeout, Clock clock) {
        this.idleTimeout = idleTimeout;
        this.createdAt = clock.instant();
        this.lastAccessedAt = createdAt;
    }

    /** A stored session. */
    DomicileSession(dev.domicile.session.Session stored, Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
        this.createdAt = stored.createdAt();
        saved(stored);
    }

    /** Replaces the snapshot by what the store saved, and forgets the changes it contains. */
    synchronized void saved(dev.domicile.session.Session session) {
        stored = session;
        attributes.clear();
        attributes.putAll(session.attributes());
        lastAccessedAt = session.lastAccessedAt();
        homeSite = session.homeSite();
        puts.clear();
        removes.clear();
    }

    /** The stored snapshot, or empty for a session not saved yet. */
    synchronized Optional<dev.domicile.session.Session> stored() {
        return Optional.ofNullable(stored);
    }

    /**
     * Ties the session to the request's routing context: a new session is created in the Redis of the context's user's
     * home site, and the context's tokens, as they stand when the session is saved, are written into it.
     */
    synchronized void attach(RoutingContext context) {
        this.context = context;
    }

    /** The site a new session is to be created in: its user's home, if a routing context is attached. */
    synchronized Optional<String> homeSite() {
        return context == null ? Optional.ofNullable(homeSite) : Optional.of(context.home().site().value());
    }

    /** This request's changes, including the attached context's new tokens, applied to {@code edit}. */
    synchronized SessionEdit changes(SessionEdit edit) {
        removes.forEach(edit::remove);
        puts.forEach(edit::put);
        tokenUpdates().forEach(edit::causalToken);
        return edit;
    }

    /** The router's tokens the session holds. Positions that are not the router's are skipped. */
    synchronized CausalTokens routerTokens() {
        CausalTokens tokens = CausalTokens.NONE;
        if (stored == null) {
            return tokens;
        }
        for (Map.Entry<String, String> position : stored.causalTokens().positions().entrySet()) {
            try {
                tokens = tokens.merge(CausalTokens.parse(position.getKey() + "=" + position.getValue()));
            } catch (IllegalArgumentException e) {
                // not a router position (written by other code); it cannot bound a read
            }
        }
        return tokens;
    }

    /** The positions of the attached context's tokens that the stored session does not hold, as the store writes them. */
    private Map<String, String> tokenUpdates() {
        Map<String, String> updates = new LinkedHashMap<>();
        if (context == null) {
            return updates;
        }
        CausalTokens known = routerTokens();
        for (Map.Entry<PartitionId, Long> position : context.tokens().positions().entrySet()) {
            if (known.positionOf(position.getKey()) != position.getValue()) {
                String encoded = CausalTokens.NONE.advance(position.getKey(), position.getValue()).encode();
                updates.put(position.getKey().value(), encoded.substring(encoded.indexOf('=') + 1));
            }
        }
        return updates;
    }

    @Override
    public synchronized String getId() {
        return stored == null ? "" : stored.id().value();
    }

    @Override
    public Instant getCreationTime() {
        return createdAt;
    }

    @Override
    public synchronized Instant getLastAccessedTime() {
        return lastAccessedAt;
    }

    @Override
    public synchronized Session setLastAccessedTime(Instant instant) {
        lastAccessedAt = instant;
        return this;
    }

    /** @throws UnsupportedOperationException for any value but {@code domicile.session.idle-timeout} */
    @Override
    public Session setMaxInactiveInterval(Duration duration) {
        if (!idleTimeout.equals(duration)) {
            throw new UnsupportedOperationException("a Domicile session's inactivity timeout is "
                    + "domicile.session.idle-timeout (" + idleTimeout + ") for every session, not " + duration);
        }
        return this;
    }

    @Override
    public Duration getMaxInactiveInterval() {
        return idleTimeout;
    }

    @Override
    public synchronized boolean isNew() {
        return stored == null;
    }

    @Override
    public synchronized boolean isModified() {
        return !puts.isEmpty() || !removes.isEmpty() || !tokenUpdates().isEmpty();
    }

    /** @throws IllegalArgumentException for a value that is not text, a number, a boolean, a character or an enum */
    @Override
    public synchronized MutableConvertibleValues<Object> put(CharSequence key, Object value) {
        if (value == null) {
            return remove(key);
        }
        if (!(value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof Character || value instanceof Enum<?>)) {
            throw new IllegalArgumentException("session attribute '" + key + "': a Domicile session stores text, "
                    + "numbers, booleans, characters and enums, not " + value.getClass().getName());
        }
        String name = key.toString();
        String text = value instanceof Enum<?> e ? e.name() : value.toString();
        attributes.put(name, text);
        puts.put(name, text);
        removes.remove(name);
        return this;
    }

    @Override
    public synchronized MutableConvertibleValues<Object> remove(CharSequence key) {
        String name = key.toString();
        attributes.remove(name);
        puts.remove(name);
        removes.add(name);
        return this;
    }

    @Override
    public synchronized MutableConvertibleValues<Object> clear() {
        for (String name : List.copyOf(attributes.keySet())) {
            remove(name);
        }
        return this;
    }

    @Override
    public synchronized Set<String> names() {
        return Set.copyOf(attributes.keySet());
    }

    @Override
    public synchronized Collection<Object> values() {
        return List.copyOf(attributes.values());
    }

    @Override
    public synchronized <T> Optional<T> get(CharSequence name, ArgumentConversionContext<T> conversionContext) {
        String value = attributes.get(name.toString());
        return value == null ? Optional.empty() : ConversionService.SHARED.convert(value, conversionContext);
    }

    @Override
    public synchronized String toString() {
        return "DomicileSession[id=" + (stored == null ? "(new)" : stored.id()) + ", home=" + homeSite
                + ", attributes=" + attributes.keySet() + ", modified=" + isModified() + "]";
    }
}
