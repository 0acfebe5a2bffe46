package dev.domicile.session;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one {@link RegionalSessionStore}: which site it runs in, how to reach every site's Redis, the
 * id secrets, the timeouts and the cross-region policy. Immutable; build with {@link #builder(String, SessionKeyRing)}.
 *
 * @param localSite           the site this store runs in; new anonymous sessions are homed here
 * @param regions             site → how to reach its Redis from the local site; must include the local site
 * @param keys                the id secrets
 * @param idleTimeout         a session unused for this long is gone
 * @param absoluteTimeout     a session older than this is gone, however active
 * @param crossRegionPolicy   what to do with a session homed in another site
 * @param readOnlyStaleness   how old a {@link CrossRegionPolicy#LOCAL_READ_ONLY} copy may get
 * @param readOnlyCopies      how many read-only copies this process keeps at most
 * @param attributeLimits     bounds on attributes
 * @param revocationClockSkew the largest clock difference assumed between application nodes; a revocation covers
 *                            sessions authenticated up to this long after it was issued
 * @param clock               time for timeouts, key grace periods and revocations
 * @param listener            hears rejections and revocations
 */
public record SessionStoreConfig(String localSite, Map<String, RegionConfig> regions, SessionKeyRing keys,
                                 Duration idleTimeout, Duration absoluteTimeout, CrossRegionPolicy crossRegionPolicy,
                                 Duration readOnlyStaleness, int readOnlyCopies, AttributeLimits attributeLimits,
                                 Duration revocationClockSkew, Clock clock, SessionListener listener) {

    private static final String PREFIX = "domicile.session.";

    /** @throws IllegalArgumentException naming the key, the value and the rule it breaks */
    public SessionStoreConfig {
        Objects.requireNonNull(keys, PREFIX + "keys");
        Objects.requireNonNull(crossRegionPolicy, PREFIX + "cross-region-policy");
        Objects.requireNonNull(attributeLimits, PREFIX + "attributes");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        regions = Map.copyOf(regions);
        regions.forEach((site, region) -> {
            if (!site.equals(region.site())) {
                throw new IllegalArgumentException(PREFIX + "regions." + site + " = " + region + ": its site must"
                        + " be '" + site + "'");
            }
        });
        if (localSite == null || !regions.containsKey(localSite)) {
            throw new IllegalArgumentException(PREFIX + "local-site = " + localSite + ": must be one of the"
                    + " configured regions " + regions.keySet());
        }
        positive("idle-timeout", idleTimeout);
        positive("absolute-timeout", absoluteTimeout);
        positive("read-only-staleness", readOnlyStaleness);
        if (idleTimeout.compareTo(absoluteTimeout) > 0) {
            throw new IllegalArgumentException(PREFIX + "idle-timeout = " + idleTimeout + ": must not exceed"
                    + " absolute-timeout (" + absoluteTimeout + ")");
        }
        if (readOnlyStaleness.compareTo(idleTimeout) > 0) {
            throw new IllegalArgumentException(PREFIX + "read-only-staleness = " + readOnlyStaleness + ": must not"
                    + " exceed idle-timeout (" + idleTimeout + ")");
        }
        if (readOnlyCopies < 1) {
            throw new IllegalArgumentException(PREFIX + "read-only-copies = " + readOnlyCopies + ": must be >= 1");
        }
        if (revocationClockSkew == null || revocationClockSkew.isNegative()) {
            throw new IllegalArgumentException(PREFIX + "revocation-clock-skew = " + revocationClockSkew
                    + ": must be zero or positive");
        }
    }

    /** A builder with every default; add a {@link Builder#region(RegionConfig)} per site. */
    public static Builder builder(String localSite, SessionKeyRing keys) {
        return new Builder(localSite, keys);
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + key + " = " + value + ": must be a positive duration");
        }
    }

    /** Builds a {@link SessionStoreConfig}. Not thread-safe. */
    public static final class Builder {
        private final String localSite;
        private final SessionKeyRing keys;
        private final Map<String, RegionConfig> regions = new LinkedHashMap<>();
        private Duration idleTimeout = Duration.ofMinutes(30);
        private Duration absoluteTimeout = Duration.ofHours(8);
        private CrossRegionPolicy crossRegionPolicy = CrossRegionPolicy.REMOTE;
        private Duration readOnlyStaleness = Duration.ofSeconds(2);
        private int readOnlyCopies = 10_000;
        private AttributeLimits attributeLimits = AttributeLimits.DEFAULT;
        private Duration revocationClockSkew = Duration.ofSeconds(1);
        private Clock clock = Clock.systemUTC();
        private SessionListener listener = new SessionListener() { };

        private Builder(String localSite, SessionKeyRing keys) {
            this.localSite = localSite;
            this.keys = keys;
        }

        /** Adds (or replaces) the Redis of {@code region.site()}. */
        public Builder region(RegionConfig region) {
            regions.put(region.site(), region);
            return this;
        }

        /** Idle timeout (default 30 min). */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /** Absolute timeout (default 8 h). */
        public Builder absoluteTimeout(Duration value) {
            this.absoluteTimeout = value;
            return this;
        }

        /** Cross-region policy (default {@link CrossRegionPolicy#REMOTE}). */
        public Builder crossRegionPolicy(CrossRegionPolicy value) {
            this.crossRegionPolicy = value;
            return this;
        }

        /** Staleness bound of read-only copies (default 2 s). */
        public Builder readOnlyStaleness(Duration value) {
            this.readOnlyStaleness = value;
            return this;
        }

        /** Most read-only copies kept (default 10 000). */
        public Builder readOnlyCopies(int value) {
            this.readOnlyCopies = value;
            return this;
        }

        /** Attribute limits (default {@link AttributeLimits#DEFAULT}). */
        public Builder attributeLimits(AttributeLimits value) {
            this.attributeLimits = value;
            return this;
        }

        /** Assumed clock skew between nodes for revocations (default 1 s). */
        public Builder revocationClockSkew(Duration value) {
            this.revocationClockSkew = value;
            return this;
        }

        /** Clock (default {@link Clock#systemUTC()}). */
        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /** Listener (default: none). */
        public Builder listener(SessionListener value) {
            this.listener = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the key, the value and the rule it breaks */
        public SessionStoreConfig build() {
            return new SessionStoreConfig(localSite, regions, keys, idleTimeout, absoluteTimeout, crossRegionPolicy,
                    readOnlyStaleness, readOnlyCopies, attributeLimits, revocationClockSkew, clock, listener);
        }
    }
}
