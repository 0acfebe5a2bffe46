package dev.domicile.sample.edge;

import java.time.Instant;

/**
 * What the edge last learned about one region from its {@code /health}.
 *
 * @param region    the region
 * @param status    {@code UP} (answered 200), {@code DOWN} (answered another status, e.g. 503) or
 *                  {@code UNREACHABLE} (no answer within the timeout); {@code UNKNOWN} before the first check
 * @param healthy   whether the edge sends new clients there: only when {@code status} is {@code UP}
 * @param since     when {@code status} last changed
 * @param detail    the status code or error of the last check
 * @param clients   new clients the edge has sent there so far
 */
public record RegionHealth(String region, String status, boolean healthy, Instant since, String detail,
                           long clients) {
}
