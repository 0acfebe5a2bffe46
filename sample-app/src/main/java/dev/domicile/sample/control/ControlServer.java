package dev.domicile.sample.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The demo's control server, on its own 127.0.0.1 port: small JSON resources that live in the demo process rather
 * than in a region (the edge's view of the regions, the authority as the drill's agents see it, the failover drill),
 * for the status pages, which fetch them cross-origin ({@code Access-Control-Allow-Origin: *}).
 *
 * <p>Resources are added after start ({@link #get}, {@link #post}), since what they show starts later than the pages
 * must know the address; an unknown path answers 404. Handlers must be quick: a {@code POST} that starts a long task
 * starts it on its own thread and returns. Thread-safe; {@link #close()} stops the server and its threads.
 */
public final class ControlServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, Supplier<?>> gets = new ConcurrentHashMap<>();
    private final Map<String, Supplier<?>> posts = new ConcurrentHashMap<>();

    private ControlServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Starts the server on a free port of 127.0.0.1.
     *
     * @throws UncheckedIOException if it cannot bind
     */
    public static ControlServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            ExecutorService threads = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("domicile-control-", 0).factory());
            ControlServer control = new ControlServer(server, threads);
            server.createContext("/", control::handle);
            server.setExecutor(threads);
            server.start();
            return control;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the demo's control server on 127.0.0.1", e);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers {@code GET path} with {@code resource}'s value as JSON. */
    public void get(String path, Supplier<?> resource) {
        gets.put(path, resource);
    }

    /** Answers {@code POST path} with {@code action}'s value as JSON (status 202). */
    public void post(String path, Supplier<?> action) {
        posts.put(path, action);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            String path = exchange.getRequestURI().getPath();
            Supplier<?> handler = switch (exchange.getRequestMethod()) {
                case "GET" -> gets.get(path);
                case "POST" -> posts.get(path);
                default -> null;
            };
            if (handler == null) {
                send(exchange, 404, Map.of("message", "no " + exchange.getRequestMethod() + " " + path + " here"));
                return;
            }
            try {
                send(exchange, "POST".equals(exchange.getRequestMethod()) ? 202 : 200, handler.get());
            } catch (IllegalStateException e) {
                send(exchange, 409, Map.of("message", String.valueOf(e.getMessage())));
            } catch (RuntimeException e) {
                send(exchange, 500, Map.of("message", e.toString()));
            }
        }
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = ("{\"message\":\"cannot write JSON\"}").getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
