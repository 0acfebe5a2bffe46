package dev.domicile.testkit;

/**
 * A server of the topology could not be started, stopped or reached. The message names the server and, where the
 * server wrote one, ends with the tail of its log.
 */
public class TopologyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
