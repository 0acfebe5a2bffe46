package dev.domicile.micronaut;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.value.PropertyResolver;

/**
 * Whether this process is an edge-only site that declares no database: {@code domicile.edge-only} is true and no
 * {@code domicile.partitions.<id>} has a {@code primary} or {@code replicas}. Decides, from the raw properties and
 * before any bean is made, between the {@link dev.domicile.router.RoutingDataSource} and the
 * {@link EdgeOnlyDataSource}; {@link ConfigValidation} applies the same rule to the bound properties.
 */
final class DatabaseLessEdge implements Condition {

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw ConditionContext
    public boolean matches(ConditionContext context) {
        if (!(context.getBeanContext() instanceof PropertyResolver properties)) {
            return false;
        }
        return applies(properties);
    }

    /** The rule, on {@code properties}. */
    static boolean applies(PropertyResolver properties) {
        if (!properties.getProperty("domicile.edge-only", Boolean.class).orElse(false)) {
            return false;
        }
        for (String partition : properties.getPropertyEntries("domicile.partitions")) {
            String prefix = "domicile.partitions." + partition;
            if (properties.containsProperties(prefix + ".primary")
                    || properties.containsProperties(prefix + ".replicas")) {
                return false;
            }
        }
        return true;
    }

    /** The opposite: there are databases (the usual case). */
    static final class WithDatabases implements Condition {

        @Override
        @SuppressWarnings("rawtypes") // the interface declares a raw ConditionContext
        public boolean matches(ConditionContext context) {
            return !(context.getBeanContext() instanceof PropertyResolver properties) || !applies(properties);
        }
    }
}
