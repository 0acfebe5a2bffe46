package dev.domicile.router;

import java.sql.SQLTransientConnectionException;
import java.util.List;

/**
 * No endpoint could serve a connection. The message lists each endpoint tried (or skipped) and why; a later attempt
 * may succeed, hence transient.
 */
public class NoRouteException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    private final String[] attempts;

    NoRouteException(String what, List<String> attempts, Throwable cause) {
        super(what + "; tried: " + (attempts.isEmpty() ? "none" : String.join("; ", attempts)), "08001", cause);
        this.attempts = attempts.toArray(String[]::new);
    }

    /** Each endpoint tried or skipped, with why, in order. */
    public List<String> attempts() {
        return List.of(attempts);
    }
}
