package dev.domicile.sample.app;

import io.micronaut.http.MediaType;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /status}: the live status page, one HTML file with a little JavaScript that polls {@code /regions} and
 * each region's {@code /domicile} and {@code /health}. A management endpoint, so the Domicile filter leaves it alone
 * (it needs no user key). Not sensitive by default, like {@link RegionsEndpoint}.
 */
@Endpoint(id = "status", defaultSensitive = false)
final class StatusEndpoint {

    private static final String PAGE = "/status/index.html";

    private final String html;

    StatusEndpoint() {
        try (InputStream in = StatusEndpoint.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("the status page " + PAGE + " is missing from the class path");
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the status page " + PAGE, e);
        }
    }

    /** The page. */
    @Read(produces = MediaType.TEXT_HTML)
    public String page() {
        return html;
    }
}
