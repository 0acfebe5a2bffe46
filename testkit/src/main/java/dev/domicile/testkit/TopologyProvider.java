package dev.domicile.testkit;

import java.util.Locale;

/**
 * What runs the databases of a topology. Chosen with {@link TopologyBuilder#provider(TopologyProvider)} or, by
 * default, with the system property {@value #PROPERTY}.
 */
public enum TopologyProvider {

    /** Embedded PostgreSQL binaries with real streaming replicas; needs nothing but a JDK. The default. */
    EMBEDDED("embedded", false),

    /** A Testcontainers PostgreSQL container per site (primaries only); needs a Docker engine. */
    POSTGRES_CONTAINERS("postgres-containers", true),

    /** A Testcontainers CockroachDB container per site (primaries only); needs a Docker engine. */
    COCKROACHDB_CONTAINERS("cockroachdb-containers", true);

    /** The system property that selects the provider: {@code embedded}, {@code postgres-containers} or {@code cockroachdb-containers}. */
    public static final String PROPERTY = "domicile.topology";

    private final String key;
    private final boolean needsDocker;

    TopologyProvider(String key, boolean needsDocker) {
        this.key = key;
        this.needsDocker = needsDocker;
    }

    /** The value of {@value #PROPERTY} that selects this provider. */
    public String key() {
        return key;
    }

    /** Whether this provider needs a Docker engine. */
    public boolean needsDocker() {
        return needsDocker;
    }

    /**
     * The provider named by the system property {@value #PROPERTY}, {@link #EMBEDDED} if it is unset or blank.
     *
     * @throws IllegalArgumentException if the property names no provider
     */
    public static TopologyProvider fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (value.isEmpty()) {
            return EMBEDDED;
        }
        for (TopologyProvider provider : values()) {
            if (provider.key.equals(value)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("system property " + PROPERTY + "='" + value
                + "' names no topology provider; use embedded, postgres-containers or cockroachdb-containers");
    }
}
