package dev.domicile.partition;

/**
 * The name of a partition, the unit of data ownership and write authority, e.g. {@code eu}.
 *
 * @param value 1 to 63 characters: lower-case ASCII letters, digits and {@code -}, starting with a letter
 * @throws IllegalArgumentException if {@code value} breaks that rule
 */
public record PartitionId(String value) {

    public PartitionId {
        Names.check("partition id", value);
    }

    /** Shorthand for {@code new PartitionId(value)}. */
    public static PartitionId of(String value) {
        return new PartitionId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
