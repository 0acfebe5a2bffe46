package dev.domicile.sample.app;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import java.util.Optional;

/**
 * {@code GET /control} (JSON): where the demo's control server runs ({@code sample.control-url}: the edge, the
 * authority as the drill sees it, and the failover drill), so the status page can show them; {@code url} is null
 * when the service runs without one.
 */
@Endpoint(id = "control", defaultSensitive = false)
final class ControlEndpoint {

    private final Control control;

    ControlEndpoint(@Nullable @Value("${sample.control-url:}") String url) {
        this.control = new Control(Optional.ofNullable(url).filter(u -> !u.isBlank()).orElse(null));
    }

    /** The control server's URL, or null. */
    @Read
    public Control control() {
        return control;
    }

    /**
     * Where the control server runs.
     *
     * @param url its base URL, or null if there is none
     */
    public record Control(String url) {
    }
}
