package dev.domicile.micronaut;

import dev.domicile.router.EndpointState;
import dev.domicile.router.Role;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One endpoint as the health indicator and the management endpoint show it: the monitor's last word on it and, for
 * a replica, its estimated lag.
 *
 * @param name       the endpoint's name
 * @param partition  whose data it holds
 * @param site       where it runs
 * @param role       PRIMARY or REPLICA, as configured
 * @param health     UNKNOWN, UP, DOWN or WRONG_ROLE
 * @param lsn        its write (primary) or replay (replica) position at the last probe, as {@code HI/LO}
 * @param lagMillis  for a replica that is up, an upper bound of its staleness in milliseconds: 0 if it had replayed
 *                   all its primary had written at the primary's last probe, else the age of the last commit it
 *                   replayed; null for a primary or a replica that is not up or never replayed a commit
 * @param failures   consecutive failed probes
 * @param lastError  why the last probe failed, or null
 */
record EndpointView(String name, String partition, String site, Role role, EndpointState.Health health, String lsn,
                    Long lagMillis, int failures, String lastError) {

    /** Views of {@code states}, lag measured at {@code nowMicros} (epoch microseconds). */
    static List<EndpointView> of(List<EndpointState> states, long nowMicros) {
        return states.stream().map(state -> of(state, primaryOf(state, states), nowMicros)).toList();
    }

    private static EndpointView of(EndpointState state, Optional<EndpointState> primary, long nowMicros) {
        var endpoint = state.endpoint();
        return new EndpointView(endpoint.name(), endpoint.partition().value(), endpoint.site().value(),
                endpoint.role(), state.health(), lsn(state.lsn()),
                lag(state, primary, nowMicros).map(Duration::toMillis).orElse(null), state.failures(),
                state.lastError());
    }

    /** The replica's staleness bound, if it is an up replica whose lag can be told. */
    static Optional<Duration> lag(EndpointState replica, Optional<EndpointState> primary, long nowMicros) {
        if (replica.endpoint().role() != Role.REPLICA || !replica.usable()) {
            return Optional.empty();
        }
        if (primary.filter(EndpointState::usable)
                .filter(p -> Long.compareUnsigned(replica.lsn(), p.lsn()) >= 0).isPresent()) {
            return Optional.of(Duration.ZERO);
        }
        if (replica.replayedCommitMicros() == 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, nowMicros - replica.replayedCommitMicros()) * 1000));
    }

    static Optional<EndpointState> primaryOf(EndpointState state, List<EndpointState> states) {
        return states.stream().filter(s -> s.endpoint().role() == Role.PRIMARY)
                .filter(s -> s.endpoint().partition().equals(state.endpoint().partition())).findFirst();
    }

    private static String lsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
