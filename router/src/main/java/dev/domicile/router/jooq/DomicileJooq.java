package dev.domicile.router.jooq;

import dev.domicile.router.Consistency;
import dev.domicile.router.RoutingDataSource;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;

/**
 * jOOQ over a {@link RoutingDataSource}: queries route as reads, DML, DDL, batches and routines as writes, without
 * the caller declaring an intent ({@link DomicileExecuteListener} says exactly how).
 *
 * <pre>{@code
 * DSLContext dsl = DomicileJooq.using(dataSource);
 * router.forUser("alice").run(() -> {
 *     dsl.insertInto(NOTES, NOTES.BODY).values("hello").execute();      // alice's home primary
 *     dsl.selectFrom(NOTES).fetch();                                     // a replica that has replayed the insert
 *     DomicileJooq.withConsistency(Consistency.STRONG, dsl).selectFrom(NOTES).fetch(); // the primary
 * });
 * }</pre>
 *
 * <p>The DSLContexts made here are thread-safe, as jOOQ's are, and hold no resources of their own: closing the
 * {@link RoutingDataSource} is what releases the pools.
 */
public final class DomicileJooq {

    /** The {@link Configuration#data(Object)} key of a consistency override. */
    private static final String CONSISTENCY_KEY = DomicileJooq.class.getName() + ".consistency";

    private DomicileJooq() {
    }

    /**
     * A PostgreSQL DSLContext over {@code dataSource} with {@link DomicileExecuteListener} installed. Each query
     * borrows its own routed connection and returns it when done; {@code dsl.transaction(...)} holds one for the
     * whole transaction.
     *
     * <p>jOOQ reads the server version from the first connection it acquires in a JVM, before any statement; that
     * connection binds then (as the routing context says, else as a write) and rebinds when the listener declares
     * its first statement a read: one extra routing decision, once per JVM.
     *
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static DSLContext using(RoutingDataSource dataSource) {
        return DSL.using(configuration(dataSource));
    }

    /**
     * The configuration {@link #using(RoutingDataSource)} builds on, for callers that add settings or listeners of
     * their own (derive from it; do not replace its execute listeners, or routing stops).
     *
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Configuration configuration(RoutingDataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new DefaultConfiguration()
                .set(new DataSourceConnectionProvider(dataSource))
                .set(SQLDialect.POSTGRES)
                .set(new DomicileExecuteListener());
    }

    /**
     * A DSLContext like {@code dsl} whose reads use {@code consistency} instead of the routing context's, e.g.
     * {@link Consistency#STRONG} for a read that must see the primary, or {@link Consistency#ANY} for one that may
     * be stale. {@code dsl} itself is unchanged. Writes go to the primary whatever the level. Inside a transaction
     * the override applies from the transaction's first statement; changing it inside an open read transaction
     * fails with a {@link org.jooq.exception.DataAccessException}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code dsl}'s configuration has no {@link DomicileExecuteListener}, so the
     *                                  override would be silently ignored
     */
    public static DSLContext withConsistency(Consistency consistency, DSLContext dsl) {
        Objects.requireNonNull(consistency, "consistency");
        Configuration configuration = Objects.requireNonNull(dsl, "dsl").configuration();
        if (!DomicileExecuteListener.isInstalled(configuration)) {
            throw new IllegalArgumentException("this DSLContext has no DomicileExecuteListener, so a consistency"
                    + " override would be ignored: make it with DomicileJooq.using(dataSource) or install"
                    + " new DomicileExecuteListener() in its configuration");
        }
        Configuration derived = configuration.derive();
        derived.data(CONSISTENCY_KEY, consistency);
        return DSL.using(derived);
    }

    /** The consistency override of {@code configuration}, if {@link #withConsistency} set one. */
    public static Optional<Consistency> consistency(Configuration configuration) {
        return Optional.ofNullable((Consistency) configuration.data(CONSISTENCY_KEY));
    }
}
