package dev.domicile.testkit;

/**
 * A PostgreSQL write-ahead-log position, as printed by {@code pg_current_wal_lsn()} ({@code 16/B374D848}).
 *
 * @param value the position as an unsigned 64-bit byte offset
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /**
     * Parses PostgreSQL's text form.
     *
     * @throws IllegalArgumentException if {@code text} is not two hexadecimal numbers separated by {@code /}
     */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN text is null");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'");
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            if (high > 0xFFFF_FFFFL || low > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("not an LSN (each half must fit 32 bits): '" + text + "'");
            }
            return new Lsn(high << 32 | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'", e);
        }
    }

    /** How many bytes of WAL lie between {@code earlier} and this position (negative if this one is earlier). */
    public long bytesAfter(Lsn earlier) {
        return value - earlier.value;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase();
    }
}
