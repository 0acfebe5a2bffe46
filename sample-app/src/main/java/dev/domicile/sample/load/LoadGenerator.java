package dev.domicile.sample.load;

import dev.domicile.sample.Homes;
import dev.domicile.sample.app.Note;
import dev.domicile.sample.edge.Edge;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated users against the notes service of every region. For each region, {@code usersPerRegion} users are
 * homed there (by key prefix, see {@link Homes}); user {@code i} of the region at index {@code h} is nearest to the
 * region at index {@code (h + i) % regions}, so most users are not nearest to their home. Each user, on its own
 * virtual thread, asks the {@link Edge} for a region (its nearest healthy one) and sends its requests there: a
 * write, then {@code readsPerWrite} reads, and so on, carrying {@code X-Domicile-Tokens} and its session cookie
 * from each response to the next request. After a failed request it asks the edge again, as a client whose
 * connection broke would resolve the name again.
 *
 * <p>A read-your-writes violation is a read whose notes lack one the same user wrote before it. The run ends when
 * every user is done or {@code maxDuration} has passed; requests only go to loopback URLs.
 */
public final class LoadGenerator {

    private static final int ERROR_SAMPLES = 5;

    private final Edge edge;
    private final Map<String, URI> regions;
    private final LoadConfig config;
    private final Map<String, RegionStats> stats = new LinkedHashMap<>();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

    private LoadGenerator(Edge edge, LoadConfig config) {
        this.edge = edge;
        this.regions = new LinkedHashMap<>(edge.urls());
        this.config = config;
        edge.regions().forEach(region -> stats.put(region, new RegionStats(region)));
    }

    /**
     * Runs the load and reports it.
     *
     * @param edge where the users find their region; its order of regions defines who is nearest to what
     * @throws InterruptedException if interrupted; the users are stopped first
     */
    public static LoadReport run(Edge edge, LoadConfig config) throws InterruptedException {
        return new LoadGenerator(edge, config).run(edge.regions());
    }

    private LoadReport run(List<String> order) throws InterruptedException {
        String run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        long start = System.nanoTime();
        long deadline = start + config.maxDuration().toNanos();
        int users = 0;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout()).build();
             ExecutorService threads = Executors.newThreadPerTaskExecutor(
                     Thread.ofVirtual().name("domicile-load-", 0).factory())) {
            List<Future<?>> running = new ArrayList<>();
            for (int h = 0; h < order.size(); h++) {
                for (int i = 0; i < config.usersPerRegion(); i++) {
                    String user = Homes.user(order.get(h), "load-" + run + "-" + i);
                    String nearest = order.get((h + i) % order.size());
                    // every other user carries only its session cookie: its tokens then travel in the session
                    NotesClient client = new NotesClient(http, user, config.requestTimeout(), i % 2 == 0);
                    running.add(threads.submit(() -> simulate(client, nearest, deadline)));
                    users++;
                }
            }
            try {
                for (Future<?> user : running) {
                    user.get();
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("a simulated user crashed: " + e.getCause(), e.getCause());
            } finally {
                running.forEach(user -> user.cancel(true));
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        double seconds = elapsed.toNanos() / 1e9;
        return new LoadReport(order.stream().map(region -> stats.get(region).figures(seconds)).toList(), users,
                elapsed, violations.get(), errors.get(), List.copyOf(errorSamples));
    }

    /** One user's session: writes and reads where the edge sends it, until done or past {@code deadline}. */
    private Void simulate(NotesClient client, String nearest, long deadline) throws InterruptedException {
        Set<String> written = new HashSet<>();
        String region = null;
        for (int k = 0; k < config.requestsPerUser() && System.nanoTime() < deadline; k++) {
            if (region == null) {
                Optional<String> routed = edge.route(nearest);
                if (routed.isEmpty()) {
                    fail(stats.get(nearest), "the edge knows no healthy region for a client near " + nearest);
                    continue;
                }
                region = routed.get();
            }
            URI url = regions.get(region);
            RegionStats served = stats.get(region);
            try {
                if (k % (config.readsPerWrite() + 1) == 0) {
                    String text = "note " + k + " of " + client.user();
                    NotesClient.Reply<Note> reply = client.write(url, text);
                    written.add(text);
                    served.served(reply.nanos(), true, !reply.home().equals(region), !reply.site().equals(region));
                } else {
                    NotesClient.Reply<List<Note>> reply = client.read(url);
                    Set<String> seen = new HashSet<>();
                    reply.body().forEach(note -> seen.add(note.text()));
                    if (!seen.containsAll(written)) {
                        violations.incrementAndGet();
                    }
                    served.served(reply.nanos(), false, !reply.home().equals(region), !reply.site().equals(region));
                }
            } catch (NotesClient.ServiceException e) {
                fail(served, e.getMessage());
                region = null;
            }
        }
        return null;
    }

    private void fail(RegionStats region, String message) {
        region.failed();
        if (errors.incrementAndGet() <= ERROR_SAMPLES) {
            errorSamples.add(message);
        }
    }
}
