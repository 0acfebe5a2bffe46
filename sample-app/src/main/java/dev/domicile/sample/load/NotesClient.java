package dev.domicile.sample.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.domicile.micronaut.DomicileHeaders;
import dev.domicile.sample.app.Note;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * An HTTP client of the notes service for one simulated user: sends the user key with every request, and carries
 * its session cookie ({@code SESSION}) and, unless made cookie-only, the causal tokens ({@code X-Domicile-Tokens})
 * from each response to the next request, as a browser would. The session, kept in the Redis of the user's home
 * region, holds the tokens too, so a cookie-only client still reads its own writes. Only loopback URLs are accepted.
 * Not thread-safe: one user, one thread.
 */
public final class NotesClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Note>> NOTES = new TypeReference<>() { };
    private static final String SESSION_COOKIE = "SESSION";

    private final HttpClient http;
    private final String user;
    private final Duration timeout;
    private final boolean carryTokens;
    private String tokens = "";
    private String session = "";

    /** A client that carries both the tokens header and the session cookie. */
    public NotesClient(HttpClient http, String user, Duration timeout) {
        this(http, user, timeout, true);
    }

    /**
     * @param http        the shared HTTP client (without a cookie handler: this client keeps its own cookie)
     * @param user        the user key
     * @param timeout     per request
     * @param carryTokens whether to send {@code X-Domicile-Tokens} back; if not, only the session cookie is sent
     */
    public NotesClient(HttpClient http, String user, Duration timeout, boolean carryTokens) {
        this.http = http;
        this.user = user;
        this.timeout = timeout;
        this.carryTokens = carryTokens;
    }

    /** The user key. */
    public String user() {
        return user;
    }

    /** The tokens last received ({@code ""} before the first write); sent only if this client carries tokens. */
    public String tokens() {
        return tokens;
    }

    /** The session cookie's value as last set by the service ({@code ""} before the first). */
    public String session() {
        return session;
    }

    /**
     * {@code POST /notes} at {@code region}: stores {@code text} as a note of this user.
     *
     * @throws ServiceException if the answer is not 201, or the call fails
     */
    public Reply<Note> write(URI region, String text) throws InterruptedException {
        HttpRequest request = request(region).header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)).build();
        return send(request, 201, body -> JSON.readValue(body, Note.class));
    }

    /**
     * {@code GET /notes} at {@code region}: this user's notes, oldest first.
     *
     * @throws ServiceException if the answer is not 200, or the call fails
     */
    public Reply<List<Note>> read(URI region) throws InterruptedException {
        return send(request(region).GET().build(), 200, body -> JSON.readValue(body, NOTES));
    }

    private HttpRequest.Builder request(URI region) {
        if (!"127.0.0.1".equals(region.getHost()) && !"localhost".equals(region.getHost())) {
            throw new IllegalArgumentException("the load generator only talks to loopback services, not " + region);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(region.resolve("/notes")).timeout(timeout)
                .header(DomicileHeaders.USER, user);
        if (carryTokens && !tokens.isEmpty()) {
            builder.header(DomicileHeaders.TOKENS, tokens);
        }
        if (!session.isEmpty()) {
            builder.header("Cookie", SESSION_COOKIE + "=" + session);
        }
        return builder;
    }

    private <T> Reply<T> send(HttpRequest request, int expected, Parser<T> parser) throws InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ServiceException(request.method() + " " + request.uri() + " for " + user + " failed: " + e, 0, e);
        }
        long nanos = System.nanoTime() - start;
        if (response.statusCode() != expected) {
            throw new ServiceException(request.method() + " " + request.uri() + " for " + user + " answered "
                    + response.statusCode() + ": " + response.body(), response.statusCode(), null);
        }
        response.headers().firstValue(DomicileHeaders.TOKENS).ifPresent(received -> tokens = received);
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            if (cookie.startsWith(SESSION_COOKIE + "=")) {
                int end = cookie.indexOf(';');
                session = cookie.substring(SESSION_COOKIE.length() + 1, end < 0 ? cookie.length() : end);
            }
        }
        try {
            return new Reply<>(parser.parse(response.body()), header(response, DomicileHeaders.SITE),
                    header(response, DomicileHeaders.HOME), nanos);
        } catch (JsonProcessingException e) {
            throw new ServiceException(request.method() + " " + request.uri() + " answered unreadable JSON: "
                    + response.body(), response.statusCode(), e);
        }
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String body) throws JsonProcessingException;
    }

    /**
     * A successful answer.
     *
     * @param body  the parsed body
     * @param site  {@code X-Domicile-Site}: the region that served it
     * @param home  {@code X-Domicile-Home}: the user's home site
     * @param nanos round-trip time
     */
    public record Reply<T>(T body, String site, String home, long nanos) {
    }

    /** A request that failed or was answered with an unexpected status. */
    public static final class ServiceException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final int status;

        ServiceException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status of the answer, 0 if there was none. */
        public int status() {
            return status;
        }
    }
}
