package dev.domicile.router;

import dev.domicile.partition.Home;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Makes routing contexts: resolves a user's home in the partition map in force, once per request.
 *
 * <pre>{@code
 * String name = router.forUser("alice").consistency(Consistency.READ_YOUR_WRITES).tokens(fromSession)
 *         .call(() -> jdbc.queryName(dataSource));
 * }</pre>
 *
 * <p>Thread-safe and stateless apart from its configuration.
 */
public final class Router {

    private final Supplier<PartitionMap> maps;
    private final SiteId localSite;
    private final Consistency defaultConsistency;

    /**
     * @param maps               the partition map in force (e.g. {@code store::current}); read once per context
     * @param localSite          the site this process runs in
     * @param defaultConsistency the consistency of contexts that declare none
     */
    public Router(Supplier<PartitionMap> maps, SiteId localSite, Consistency defaultConsistency) {
        this.maps = Objects.requireNonNull(maps, "maps");
        this.localSite = Objects.requireNonNull(localSite, "localSite");
        this.defaultConsistency = Objects.requireNonNull(defaultConsistency, "defaultConsistency");
    }

    public SiteId localSite() {
        return localSite;
    }

    public Consistency defaultConsistency() {
        return defaultConsistency;
    }

    /** The partition map in force. */
    public PartitionMap map() {
        return maps.get();
    }

    /**
     * Starts a context for {@code userKey}.
     *
     * @throws dev.domicile.partition.InvalidUserKeyException if the key is null, empty, too long or not printable
     */
    public Request forUser(String userKey) {
        return new Request(userKey);
    }

    /** One request's context under construction. Not thread-safe; use it on one thread. */
    public final class Request {

        private final String userKey;
        private Map<String, String> attributes = Map.of();
        private Intent intent;
        private Consistency consistency = defaultConsistency;
        private CausalTokens tokens = CausalTokens.NONE;
        private Retry retry;

        private Request(String userKey) {
            this.userKey = userKey;
        }

        /** Attributes the partition map's rules may match on, e.g. {@code country}. */
        public Request attributes(Map<String, String> attributes) {
            this.attributes = Map.copyOf(attributes);
            return this;
        }

        /** Declares the intent; without it, a connection's read-only flag decides, else it is a write. */
        public Request intent(Intent intent) {
            this.intent = Objects.requireNonNull(intent, "intent");
            return this;
        }

        public Request consistency(Consistency consistency) {
            this.consistency = Objects.requireNonNull(consistency, "consistency");
            return this;
        }

        /** The tokens the caller carried from earlier requests (session, header). */
        public Request tokens(CausalTokens tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * Opts in to re-running the whole work of {@link #call}/{@link #run}, in the same context, up to
         * {@code maxRetries} more times when it fails with a serialization failure (SQLState 40001, CockroachDB's
         * retryable errors, PostgreSQL's SERIALIZABLE conflicts). The work must own its transactions: it opens,
         * commits and closes its connections, so that a failed attempt left nothing open. See {@link Retry}.
         *
         * @throws IllegalArgumentException unless {@code maxRetries} is in 0..100
         */
        public Request retryingSerializationFailures(int maxRetries) {
            return retrying(Retry.serializationFailures(maxRetries));
        }

        /**
         * Opts in to re-running the work under {@code policy}, with its own backoff; see
         * {@link #retryingSerializationFailures}.
         */
        public Request retrying(Retry policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Resolves the home and makes the context. */
        public RoutingContext context() {
            Home home = attributes.isEmpty() ? maps.get().homeOf(userKey) : maps.get().homeOf(userKey, attributes);
            return new RoutingContext(userKey, home, localSite, intent, consistency, tokens);
        }

        /** Runs {@code work} with this context bound (again after serialization failures, if opted in). */
        public <T> T call(Callable<T> work) throws Exception {
            RoutingContext context = context();
            return retry == null ? Routing.call(context, work) : retry.call(() -> Routing.call(context, work));
        }

        /** Runs {@code work} with this context bound (again after serialization failures, if opted in). */
        public void run(Runnable work) {
            RoutingContext context = context();
            if (retry == null) {
                Routing.run(context, work);
            } else {
                retry.run(() -> Routing.run(context, work));
            }
        }
    }
}
