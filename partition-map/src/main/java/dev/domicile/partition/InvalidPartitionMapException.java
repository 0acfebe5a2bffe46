package dev.domicile.partition;

/**
 * A partition map definition or document breaks a rule: unknown site or partition, overlapping rules, non-positive
 * weight, no partitions, a malformed document. The map in force stays in force.
 */
public final class InvalidPartitionMapException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code message} names the offending field or value and the rule. */
    public InvalidPartitionMapException(String message) {
        super(message);
    }

    /** Creates the exception with its cause, e.g. a JSON parse error. */
    public InvalidPartitionMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
