package dev.domicile.router;

import java.time.Duration;

/**
 * What the monitor last learned about one endpoint. Immutable; the monitor replaces it after every probe.
 *
 * @param endpoint        the endpoint
 * @param health          up, down, wrong role, or not probed yet
 * @param inRecovery      {@code pg_is_in_recovery()} at the last successful probe
 * @param lsn             for a primary {@code pg_current_wal_lsn()}, for a replica {@code pg_last_wal_replay_lsn()}
 * @param replayedCommitMicros for a replica, {@code pg_last_xact_replay_timestamp()} in epoch microseconds; 0 if none
 * @param probedAtNanos   {@link System#nanoTime()} scale time of the last probe (successful or not)
 * @param failures        consecutive failed probes
 * @param lastError       why the last probe failed, or null
 * @param retired         the database's Domicile fence was retired ({@code Fence.RETIRED}: an old primary after a
 *                        failover or switchover) at the last successful probe: it refuses every write, so it never
 *                        counts as a writer of its partition
 */
public record EndpointState(EndpointConfig endpoint, Health health, boolean inRecovery, long lsn,
                            long replayedCommitMicros, long probedAtNanos, int failures, String lastError,
                            boolean retired) {

    /** A state of a database that is not retired. */
    public EndpointState(EndpointConfig endpoint, Health health, boolean inRecovery, long lsn,
                         long replayedCommitMicros, long probedAtNanos, int failures, String lastError) {
        this(endpoint, health, inRecovery, lsn, replayedCommitMicros, probedAtNanos, failures, lastError, false);
    }

    /** The staleness of a replica that has replayed no transaction yet: more than any bound. */
    static final Duration NEVER_REPLAYED = Duration.ofDays(36_500);

    /** An endpoint's health as the monitor sees it. */
    public enum Health {
        /** Not probed yet. */
        UNKNOWN,
        /** Answered the last probe in its configured role. */
        UP,
        /** Did not answer; probed again with backoff. */
        DOWN,
        /** Answered, but a "primary" is in recovery or a "replica" is not: never used in its configured role. */
        WRONG_ROLE
    }

    static EndpointState unknown(EndpointConfig endpoint) {
        return new EndpointState(endpoint, Health.UNKNOWN, false, 0, 0, 0, 0, null);
    }

    /** Whether the router may use the endpoint in its configured role. */
    public boolean usable() {
        return health == Health.UP;
    }

    /** Whether the endpoint had replayed (or written) {@code position}, as of the last probe. */
    boolean reached(long position) {
        return Long.compareUnsigned(lsn, position) >= 0;
    }

    /**
     * An upper bound of this replica's staleness at {@code nowNanos}: zero lag as of the primary's last probe if the
     * replica had replayed all the primary had written then; else the age of the last commit it replayed.
     */
    Duration staleness(EndpointState primary, long nowNanos, java.util.function.LongSupplier nowEpochMicros) {
        long nanos = stalenessNanos(primary, nowNanos, nowEpochMicros);
        return nanos == Long.MAX_VALUE ? NEVER_REPLAYED : Duration.ofNanos(nanos);
    }

    /** {@link #staleness} in nanoseconds, {@link Long#MAX_VALUE} if nothing was replayed; reads the clock only if needed. */
    long stalenessNanos(EndpointState primary, long nowNanos, java.util.function.LongSupplier nowEpochMicros) {
        if (primary != null && primary.health == Health.UP && reached(primary.lsn)) {
            return Math.max(0, nowNanos - primary.probedAtNanos);
        }
        if (replayedCommitMicros == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, nowEpochMicros.getAsLong() - replayedCommitMicros) * 1000;
    }
}
