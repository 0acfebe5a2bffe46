package dev.domicile.sample.drill;

import dev.domicile.sample.load.NotesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user of the notes service homed in the drill's victim region, writing a note through the victim's own service
 * every {@code period} during the drill: what the service's routers (with authority) make of it is what a real user
 * would see. Counts the notes accepted (and the last region that served one: the victim, or the owner it was
 * forwarded to) and the writes refused ({@code 503}: not admitted anywhere it could tell) or failed otherwise. Runs on
 * its own named thread until {@link #close()}.
 */
final class ServiceWriter implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI service;
    private final NotesClient client;
    private final HttpClient http;
    private final long periodMillis;
    private final Thread thread;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String lastServedBy = "";
    private volatile String lastFailure = "";
    private volatile boolean running = true;

    private ServiceWriter(URI service, String user, long periodMillis) {
        this.service = service;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.client = new NotesClient(http, user, TIMEOUT);
        this.periodMillis = periodMillis;
        this.thread = Thread.ofPlatform().name("domicile-drill-service-writer").daemon(true).unstarted(this::loop);
    }

    /** Starts writing notes of {@code user} at {@code service} (a region's base URL). */
    static ServiceWriter start(URI service, String user, long periodMillis) {
        ServiceWriter writer = new ServiceWriter(service, user, periodMillis);
        writer.thread.start();
        return writer;
    }

    private void loop() {
        for (long n = 1; running; n++) {
            try {
                NotesClient.Reply<?> reply = client.write(service, "drill note " + n);
                lastServedBy = reply.site();
                accepted.incrementAndGet();
            } catch (NotesClient.ServiceException e) {
                if (e.status() == 503) {
                    refused.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    lastFailure = e.getMessage().length() > 160 ? e.getMessage().substring(0, 160) + "..."
                            : e.getMessage();
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long accepted() {
        return accepted.get();
    }

    long refused() {
        return refused.get();
    }

    /** A one-line account for the timeline. */
    String summary() {
        return client.user() + "'s notes through " + service + ": " + accepted.get() + " accepted (last served by "
                + (lastServedBy.isEmpty() ? "none" : lastServedBy) + "), " + refused.get() + " refused (503), "
                + failed.get() + " failed otherwise"
                + (lastFailure.isEmpty() ? "" : " (last: " + lastFailure + ")");
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
