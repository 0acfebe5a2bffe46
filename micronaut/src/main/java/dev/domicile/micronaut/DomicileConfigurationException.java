package dev.domicile.micronaut;

import io.micronaut.context.exceptions.ConfigurationException;

/**
 * The {@code domicile.*} configuration breaks a rule. Thrown while the application context starts, so start-up
 * stops; the message names the key, the value and the rule.
 */
public final class DomicileConfigurationException extends ConfigurationException {

    private static final long serialVersionUID = 1L;

    DomicileConfigurationException(String key, Object value, String rule) {
        super(key + " = " + (value == null ? "(not set)" : "'" + value + "'") + ": " + rule);
    }
}
