package dev.domicile.micronaut;

import dev.domicile.authority.NotAuthoritativeException;
import dev.domicile.router.HomeUnavailableException;
import dev.domicile.router.SplitBrainException;
import dev.domicile.router.WriteRefusedException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP answers to writes this site could not run: {@code 503 Service Unavailable} with {@code Retry-After} (whole
 * seconds, at least 1) and a JSON body saying why, for a write refused by write admission
 * ({@link WriteRefusedException}, {@link NotAuthoritativeException}: with the last known owner and epoch), a home
 * primary that is down ({@link HomeUnavailableException}), a partition quarantined by split brain
 * ({@link SplitBrainException}), a write the database fenced (SQLSTATE {@value #FENCED_SQLSTATE}: a newer owner
 * took over), and a connection asked of an edge-only site without databases ({@link EdgeOnlyException}). Looks through the cause chain (at most {@value #MAX_CAUSES} deep) of whatever exception
 * reached the controller's caller: an {@link SQLException}, or an unchecked wrapper of another library. Stateless.
 */
final class RefusalResponses {

    /** The SQLSTATE of a write whose epoch is older than the database's fence. */
    static final String FENCED_SQLSTATE = "DM001";

    private static final Duration FENCED_RETRY = Duration.ofSeconds(1);

    /** How deep the cause chain is searched; bounds the walk of a chain with a cycle. */
    private static final int MAX_CAUSES = 32;

    private RefusalResponses() {
    }

    /**
     * The answer to {@code error}, if it is (or is caused by) one of the refusals above; its kind for metrics.
     *
     * @param configuredRetry {@code domicile.forwarding.retry-after}: the {@code Retry-After} of a split-brain or
     *                        edge-only refusal, which carry no hint of their own
     */
    static Optional<Answer> of(Throwable error, Duration configuredRetry) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof WriteRefusedException refused) {
                return Optional.of(refused(refused.refusal()));
            }
            if (t instanceof NotAuthoritativeException refused) {
                return Optional.of(refused(refused));
            }
            if (t instanceof HomeUnavailableException unavailable) {
                return Optional.of(answer("home-unavailable", unavailable.getMessage(), unavailable.retryAfter(),
                        Map.of()));
            }
            if (t instanceof SplitBrainException split) {
                return Optional.of(answer("split-brain", split.getMessage(), configuredRetry,
                        Map.of("partition", split.partition().value())));
            }
            if (t instanceof EdgeOnlyException edge) {
                return Optional.of(answer("edge-only", edge.getMessage(), configuredRetry, Map.of()));
            }
            if (t instanceof SQLException sql && FENCED_SQLSTATE.equals(sql.getSQLState())) {
                return Optional.of(answer("fenced", "the write was fenced: another site owns the partition at a "
                        + "newer epoch (" + sql.getMessage() + ")", FENCED_RETRY, Map.of()));
            }
        }
        return Optional.empty();
    }

    private static Answer refused(NotAuthoritativeException refusal) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("partition", refusal.partition().value());
        refusal.lastKnownOwner().ifPresent(owner -> details.put("owner", owner.value()));
        details.put("epoch", refusal.lastKnownEpoch());
        details.put("hint", refusal.hint().name());
        return answer("refused", refusal.getMessage(), refusal.retryAfter(), details);
    }

    private static Answer answer(String kind, String message, Duration retryAfter, Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.putAll(details);
        return new Answer(kind, HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds(retryAfter))).body(body));
    }

    /** {@code duration} in whole seconds, rounded up, at least 1. */
    static long seconds(Duration duration) {
        long seconds = duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /**
     * A refusal's answer.
     *
     * @param kind     {@code refused}, {@code home-unavailable}, {@code split-brain}, {@code fenced} or {@code edge-only}
     * @param response the 503
     */
    record Answer(String kind, MutableHttpResponse<?> response) {
    }
}
