package dev.domicile.sample.app;

import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;

/** {@code GET /traffic} (JSON): the notes requests this region served, forwarded and refused ({@link Traffic}). */
@Endpoint(id = "traffic", defaultSensitive = false)
final class TrafficEndpoint {

    private final Traffic traffic;

    TrafficEndpoint(Traffic traffic) {
        this.traffic = traffic;
    }

    /** The counts now. */
    @Read
    public Traffic.Counts counts() {
        return traffic.counts();
    }
}
