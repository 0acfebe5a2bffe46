package dev.domicile.partition;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A declarative rule of the second resolution layer. Rules are tried in their declared order after explicit
 * assignments; the first that matches decides. Two rules of the same kind may not overlap (see
 * {@link PartitionMapDefinition}).
 */
public sealed interface Rule {

    /** The partition a matching user is homed in. */
    PartitionId partition();

    /**
     * Whether this rule matches a user. Allocation-free; never throws for a valid key.
     *
     * @param userKey    a valid user key
     * @param attributes attributes the caller knows about the user, e.g. {@code country -> DE}; never null
     */
    boolean matches(String userKey, Map<String, String> attributes);

    /**
     * Matches users whose attribute {@code attribute} has one of {@code values}, e.g. country in {DE, FR} → eu.
     *
     * @throws IllegalArgumentException if the attribute is blank, or values are empty or contain a blank value
     */
    record Attribute(String attribute, Set<String> values, PartitionId partition) implements Rule {

        public Attribute {
            if (attribute == null || attribute.isBlank()) {
                throw new IllegalArgumentException("attribute rule for partition " + partition
                        + " has a blank attribute name");
            }
            Objects.requireNonNull(partition, () -> "partition of the rule on " + attribute);
            values = Set.copyOf(Objects.requireNonNull(values, "values"));
            if (values.isEmpty() || values.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("attribute rule on '" + attribute + "' for partition " + partition
                        + " needs at least one value and no blank values, got " + values);
            }
        }

        @Override
        public boolean matches(String userKey, Map<String, String> attributes) {
            String value = attributes.get(attribute);
            return value != null && values.contains(value);
        }
    }

    /**
     * Matches users whose key starts with {@code prefix}, e.g. a tenant prefix {@code acme:}.
     *
     * @throws IllegalArgumentException if the prefix is not a valid user key ({@link UserKeys})
     */
    record Prefix(String prefix, PartitionId partition) implements Rule {

        public Prefix {
            try {
                UserKeys.validate(prefix);
            } catch (InvalidUserKeyException e) {
                throw new IllegalArgumentException("prefix rule for partition " + partition + ": "
                        + e.getMessage().replace("user key", "prefix"), e);
            }
            Objects.requireNonNull(partition, () -> "partition of the rule on prefix " + prefix);
        }

        @Override
        public boolean matches(String userKey, Map<String, String> attributes) {
            return userKey.startsWith(prefix);
        }
    }
}
