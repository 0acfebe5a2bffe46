package dev.domicile.sample.load;

import java.time.Duration;

/**
 * How much load to generate; validated when made.
 *
 * @param usersPerRegion  simulated users homed in each region, at least 1
 * @param requestsPerUser requests each user makes, at least 2 (a write and a read)
 * @param readsPerWrite   reads after each write, at least 1
 * @param maxDuration     the run stops issuing requests after this long, positive, at most 10 minutes
 * @param requestTimeout  per request, positive
 */
public record LoadConfig(int usersPerRegion, int requestsPerUser, int readsPerWrite, Duration maxDuration,
                         Duration requestTimeout) {

    /** The defaults: 4 users per region, 60 requests each, 2 reads per write, at most 60 s, 10 s per request. */
    public static final LoadConfig DEFAULT = new LoadConfig(4, 60, 2, Duration.ofSeconds(60), Duration.ofSeconds(10));

    /** @throws IllegalArgumentException naming the value and the rule it breaks */
    public LoadConfig {
        check(usersPerRegion >= 1 && usersPerRegion <= 1000, "usersPerRegion", usersPerRegion, "1 to 1000");
        check(requestsPerUser >= 2 && requestsPerUser <= 100_000, "requestsPerUser", requestsPerUser,
                "2 to 100000");
        check(readsPerWrite >= 1 && readsPerWrite <= 100, "readsPerWrite", readsPerWrite, "1 to 100");
        check(maxDuration != null && maxDuration.isPositive() && maxDuration.compareTo(Duration.ofMinutes(10)) <= 0,
                "maxDuration", maxDuration, "positive and at most 10 minutes");
        check(requestTimeout != null && requestTimeout.isPositive(), "requestTimeout", requestTimeout, "positive");
    }

    /** A copy with {@code users} users per region. */
    public LoadConfig withUsersPerRegion(int users) {
        return new LoadConfig(users, requestsPerUser, readsPerWrite, maxDuration, requestTimeout);
    }

    /** A copy with {@code requests} requests per user. */
    public LoadConfig withRequestsPerUser(int requests) {
        return new LoadConfig(usersPerRegion, requests, readsPerWrite, maxDuration, requestTimeout);
    }

    /** A copy that stops after {@code duration}. */
    public LoadConfig withMaxDuration(Duration duration) {
        return new LoadConfig(usersPerRegion, requestsPerUser, readsPerWrite, duration, requestTimeout);
    }

    private static void check(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("load " + name + " = " + value + ": must be " + rule);
        }
    }
}
