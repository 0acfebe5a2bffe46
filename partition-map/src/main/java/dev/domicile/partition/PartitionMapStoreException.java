package dev.domicile.partition;

/** A store could not read or write its backing file or ZooKeeper; the message says which path and why. */
public final class PartitionMapStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public PartitionMapStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Creates the exception without a cause. */
    public PartitionMapStoreException(String message) {
        super(message);
    }
}
