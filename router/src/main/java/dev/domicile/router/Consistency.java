package dev.domicile.router;

import java.time.Duration;
import java.util.Objects;

/**
 * How fresh a read must be. Writes always go to the primary, whatever the level.
 *
 * @param level        the kind of guarantee
 * @param maxStaleness for {@link Level#BOUNDED_STALENESS}, the largest replica lag accepted; {@link Duration#ZERO}
 *                     otherwise
 */
public record Consistency(Level level, Duration maxStaleness) {

    /** The kinds of guarantee, strongest first. */
    public enum Level {
        /** Read from the primary. */
        STRONG,
        /** Read from a replica only once it has replayed the caller's causal token; the default. */
        READ_YOUR_WRITES,
        /** Read from a replica whose lag is at most {@code maxStaleness}. */
        BOUNDED_STALENESS,
        /** Read from any replica that is up. */
        ANY
    }

    public static final Consistency STRONG = new Consistency(Level.STRONG, Duration.ZERO);
    public static final Consistency READ_YOUR_WRITES = new Consistency(Level.READ_YOUR_WRITES, Duration.ZERO);
    public static final Consistency ANY = new Consistency(Level.ANY, Duration.ZERO);

    public Consistency {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(maxStaleness, "maxStaleness");
        if (level == Level.BOUNDED_STALENESS ? maxStaleness.isNegative() || maxStaleness.isZero()
                : !maxStaleness.isZero()) {
            throw new IllegalArgumentException(level == Level.BOUNDED_STALENESS
                    ? "bounded staleness needs a positive maximum, was " + maxStaleness
                    : "only BOUNDED_STALENESS takes a maximum staleness, " + level + " was given " + maxStaleness);
        }
    }

    /** Reads from replicas lagging at most {@code maxStaleness}. @throws IllegalArgumentException unless positive */
    public static Consistency boundedStaleness(Duration maxStaleness) {
        return new Consistency(Level.BOUNDED_STALENESS, maxStaleness);
    }

    @Override
    public String toString() {
        return level == Level.BOUNDED_STALENESS ? "BOUNDED_STALENESS(" + maxStaleness + ")" : level.name();
    }
}
