package dev.domicile.micronaut;

/** Finds the configuration error behind a failed start-up (Micronaut wraps it in bean-creation exceptions). */
final class ConfigurationErrors {

    private ConfigurationErrors() {
    }

    /** The first {@link DomicileConfigurationException} in {@code failure}'s cause chain, else its deepest cause. */
    static Throwable causeOf(Throwable failure) {
        Throwable cause = failure;
        while (!(cause instanceof DomicileConfigurationException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
