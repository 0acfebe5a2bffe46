package dev.domicile.session;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Changes to one session, applied by {@link RegionalSessionStore#save(SessionEdit)} in one atomic step on the home
 * Redis. Only the changes are written, so concurrent edits of different attributes do not overwrite each other.
 *
 * <p>Not thread-safe; use one per request. Attribute rules come from {@link AttributeLimits}.
 */
public final class SessionEdit {

    private final Session base;
    private final AttributeLimits limits;
    private final Map<String, String> puts = new LinkedHashMap<>();
    private final Set<String> removals = new HashSet<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();

    SessionEdit(Session base, AttributeLimits limits) {
        this.base = base;
        this.limits = limits;
    }

    /**
     * Sets an attribute.
     *
     * @throws AttributeLimitException if the name is blank, too long or has control characters, or the value is
     *                                 larger than {@link AttributeLimits#maxValueBytes()}
     */
    public SessionEdit put(String name, String value) {
        checkName(name);
        Objects.requireNonNull(value, "value");
        int bytes = Text.utf8Length(value);
        if (bytes > limits.maxValueBytes()) {
            throw new AttributeLimitException("session attribute '" + name + "' has " + bytes + " bytes; the limit"
                    + " (domicile.session.attributes.max-value-bytes) is " + limits.maxValueBytes());
        }
        removals.remove(name);
        puts.put(name, value);
        return this;
    }

    /** Removes an attribute (no effect if absent). @throws AttributeLimitException for an invalid name */
    public SessionEdit remove(String name) {
        checkName(name);
        puts.remove(name);
        removals.add(name);
        return this;
    }

    /**
     * Records the commit position of the user's latest write to {@code partition}.
     *
     * @throws IllegalArgumentException as {@link CausalTokens#with(String, String)}
     */
    public SessionEdit causalToken(String partition, String position) {
        CausalTokens.check(partition, position);
        tokens.put(partition, position);
        return this;
    }

    /** The snapshot this edit applies to. */
    public Session session() {
        return base;
    }

    Map<String, String> puts() {
        return puts;
    }

    Set<String> removals() {
        return removals;
    }

    Map<String, String> tokens() {
        return tokens;
    }

    /** The attributes as they will be after the save, assuming no concurrent edit. */
    Map<String, String> resultingAttributes() {
        Map<String, String> result = new HashMap<>(base.attributes());
        result.keySet().removeAll(removals);
        result.putAll(puts);
        return result;
    }

    private void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > limits.maxNameLength()
                || Text.hasControl(name)) {
            throw new AttributeLimitException("session attribute name '" + name + "' is invalid: must be 1 to "
                    + limits.maxNameLength() + " characters (domicile.session.attributes.max-name-length) without"
                    + " control characters");
        }
    }
}
