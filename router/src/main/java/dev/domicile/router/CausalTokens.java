package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A user's read-your-writes tokens: per partition, the WAL position (PostgreSQL LSN, as an unsigned 64-bit number)
 * of the last write the user saw committed there. Immutable; carry it between requests with {@link #encode()} and
 * {@link #parse(String)} (a session or a header).
 */
public final class CausalTokens {

    public static final CausalTokens NONE = new CausalTokens(Map.of());

    /** Longest encoded form {@link #parse} accepts, so a header cannot make the router allocate without bound. */
    public static final int MAX_ENCODED_LENGTH = 4096;

    /** Empty, or a TreeMap ordered by partition name (so {@link #encode()} needs no sort). */
    private final Map<PartitionId, Long> positions;

    private CausalTokens(Map<PartitionId, Long> positions) {
        this.positions = positions;
    }

    /** The position for {@code partition}, or 0 if the user wrote nothing there that we know of. */
    public long positionOf(PartitionId partition) {
        if (positions.isEmpty()) {
            return 0L;
        }
        Long position = positions.get(partition);
        return position == null ? 0L : position;
    }

    /** These tokens with {@code partition} advanced to {@code position}; a token never moves backwards. */
    public CausalTokens advance(PartitionId partition, long position) {
        Objects.requireNonNull(partition, "partition");
        if (Long.compareUnsigned(position, positionOf(partition)) <= 0) {
            return this;
        }
        TreeMap<PartitionId, Long> copy = new TreeMap<>(java.util.Comparator.comparing(PartitionId::value));
        copy.putAll(positions);
        copy.put(partition, position);
        return new CausalTokens(Collections.unmodifiableMap(copy));
    }

    /** The later of both tokens per partition. */
    public CausalTokens merge(CausalTokens other) {
        CausalTokens result = this;
        for (Map.Entry<PartitionId, Long> entry : other.positions.entrySet()) {
            result = result.advance(entry.getKey(), entry.getValue());
        }
        return result;
    }

    public Map<PartitionId, Long> positions() {
        return positions;
    }

    /** {@code partition=HI/LO;partition=HI/LO}, sorted by partition; empty for {@link #NONE}. */
    public String encode() {
        if (positions.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(32 * positions.size());
        for (Map.Entry<PartitionId, Long> e : positions.entrySet()) {
            if (!out.isEmpty()) {
                out.append(';');
            }
            out.append(e.getKey().value()).append('=').append(Lsns.format(e.getValue()));
        }
        return out.toString();
    }

    /**
     * Parses {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException naming the part that is malformed, or if the text is longer than
     *                                  {@value #MAX_ENCODED_LENGTH} characters
     */
    public static CausalTokens parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        if (text.length() > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("causal tokens longer than " + MAX_ENCODED_LENGTH + " characters");
        }
        CausalTokens result = NONE;
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed causal token '" + part + "': expected partition=LSN");
            }
            result = result.advance(PartitionId.of(part.substring(0, eq)), Lsns.parse(part.substring(eq + 1)));
        }
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CausalTokens other && positions.equals(other.positions);
    }

    @Override
    public int hashCode() {
        return positions.hashCode();
    }

    @Override
    public String toString() {
        return "CausalTokens[" + encode() + "]";
    }
}
