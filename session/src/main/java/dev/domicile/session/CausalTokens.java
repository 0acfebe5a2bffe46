package dev.domicile.session;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The read-your-writes tokens a session carries: per partition, the opaque commit position of the user's last write
 * there (a PostgreSQL LSN such as {@code 0/16B3748}, a CockroachDB timestamp). This module never interprets a
 * position; the router compares them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param positions partition name → position; copied, never null
 */
public record CausalTokens(Map<String, String> positions) {

    /** Longest accepted partition name, in characters. */
    public static final int MAX_PARTITION_LENGTH = 64;

    /** Longest accepted position, in characters. */
    public static final int MAX_POSITION_LENGTH = 64;

    private static final CausalTokens EMPTY = new CausalTokens(Map.of());

    /**
     * @throws IllegalArgumentException if a partition or position is blank, too long, or contains a control character
     */
    public CausalTokens {
        Objects.requireNonNull(positions, "positions");
        positions.forEach(CausalTokens::check);
        positions = Map.copyOf(positions);
    }

    /** No tokens. */
    public static CausalTokens empty() {
        return EMPTY;
    }

    /** The position recorded for {@code partition}, if any. */
    public Optional<String> position(String partition) {
        return Optional.ofNullable(positions.get(partition));
    }

    /** A copy in which {@code partition} has {@code position}. @throws IllegalArgumentException as the constructor */
    public CausalTokens with(String partition, String position) {
        return withAll(Map.of(partition, position));
    }

    /** A copy with {@code changes} applied, in one copy. @throws IllegalArgumentException as the constructor */
    CausalTokens withAll(Map<String, String> changes) {
        if (changes.isEmpty()) {
            return this;
        }
        Map<String, String> copy = new HashMap<>(positions);
        copy.putAll(changes);
        return new CausalTokens(copy);
    }

    /** Checks one token as the constructor does. @throws IllegalArgumentException if it is invalid */
    static void check(String partition, String position) {
        check("partition", partition, MAX_PARTITION_LENGTH);
        check("position", position, MAX_POSITION_LENGTH);
    }

    private static void check(String what, String value, int maxLength) {
        if (value == null || value.isBlank() || value.length() > maxLength
                || Text.hasControl(value)) {
            throw new IllegalArgumentException("causal token " + what + " '" + value + "' is invalid: must be 1 to "
                    + maxLength + " characters without control characters");
        }
    }
}
