package dev.domicile.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the Redis of one site, as seen from the site this store runs in (for a remote site, its WAN address).
 * Use {@code rediss://} addresses for TLS: the server's certificate is then checked against the trust store if one is
 * set, else the JVM's default trust store, and its subject alternative names against the address's host (hostname
 * verification is always on). Immutable; build with {@link #single}, {@link #sentinel} or {@link #cluster}.
 * {@link #toString()} hides the passwords.
 *
 * @param site               the site this Redis serves
 * @param mode               single server, Sentinel-managed master, or Cluster
 * @param addresses          {@code redis://host:port} or {@code rediss://host:port}; sentinels for SENTINEL, seed
 *                           nodes for CLUSTER
 * @param masterName         the Sentinel master name (SENTINEL only, else null)
 * @param username           ACL user name, or null
 * @param password           password, or null
 * @param connectTimeout     how long to wait for a connection
 * @param commandTimeout     how long to wait for a reply before the site counts as unavailable
 * @param retryAttempts      how often a failed command is retried before it fails
 * @param connectionPoolSize most connections to the master (and to each node in CLUSTER)
 * @param nettyThreads       I/O threads of this site's client
 * @param trustStore         trust store (PKCS12, or JKS) with the certificates that may sign the servers' certificates,
 *                           for {@code rediss://} addresses only; null for the JVM's default trust store
 * @param trustStorePassword the trust store's password, or null (only with a trust store)
 */
public record RegionConfig(String site, Mode mode, List<String> addresses, String masterName, String username,
                           String password, Duration connectTimeout, Duration commandTimeout, int retryAttempts,
                           int connectionPoolSize, int nettyThreads, Path trustStore, String trustStorePassword) {

    /** How the site runs Redis. */
    public enum Mode { SINGLE, SENTINEL, CLUSTER }

    /** @throws IllegalArgumentException naming the key, the value and the rule it breaks */
    public RegionConfig {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(mode, "mode");
        String key = "domicile.session.regions." + site + ".";
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty() || (mode == Mode.SINGLE && addresses.size() != 1)) {
            throw new IllegalArgumentException(key + "addresses = " + addresses + ": " + mode + " needs "
                    + (mode == Mode.SINGLE ? "exactly one address" : "at least one address"));
        }
        for (String address : addresses) {
            if (!address.startsWith("redis://") && !address.startsWith("rediss://")) {
                throw new IllegalArgumentException(key + "addresses = " + address + ": must start with redis:// or"
                        + " rediss:// (TLS)");
            }
        }
        if ((mode == Mode.SENTINEL) != (masterName != null && !masterName.isBlank())) {
            throw new IllegalArgumentException(key + "master-name = " + masterName + ": required for SENTINEL and"
                    + " only for SENTINEL");
        }
        positive(key + "connect-timeout", connectTimeout);
        positive(key + "command-timeout", commandTimeout);
        if (retryAttempts < 0) {
            throw new IllegalArgumentException(key + "retry-attempts = " + retryAttempts + ": must be >= 0");
        }
        if (connectionPoolSize < 1 || nettyThreads < 1) {
            throw new IllegalArgumentException(key + "connection-pool-size/netty-threads = " + connectionPoolSize
                    + "/" + nettyThreads + ": both must be >= 1");
        }
        checkTrustStore(key, addresses, trustStore, trustStorePassword);
    }

    /** A single Redis server at {@code address}. */
    public static Builder single(String site, String address) {
        return new Builder(site, Mode.SINGLE, List.of(address), null);
    }

    /** A master found through the sentinels at {@code sentinelAddresses}. */
    public static Builder sentinel(String site, String masterName, List<String> sentinelAddresses) {
        return new Builder(site, Mode.SENTINEL, sentinelAddresses, masterName);
    }

    /** A Redis Cluster reached through {@code seedAddresses}. */
    public static Builder cluster(String site, List<String> seedAddresses) {
        return new Builder(site, Mode.CLUSTER, seedAddresses, null);
    }

    @Override
    public String toString() {
        return "RegionConfig[site=" + site + ", mode=" + mode + ", addresses=" + addresses + ", masterName="
                + masterName + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", connectTimeout=" + connectTimeout + ", commandTimeout=" + commandTimeout + ", retryAttempts="
                + retryAttempts + ", connectionPoolSize=" + connectionPoolSize + ", nettyThreads=" + nettyThreads
                + ", trustStore=" + (trustStore == null ? "JVM default" : trustStore) + ", trustStorePassword="
                + (trustStorePassword == null ? "none" : "***") + "]";
    }

    private static void checkTrustStore(String key, List<String> addresses, Path trustStore, String password) {
        if (trustStore == null) {
            if (password != null) {
                throw new IllegalArgumentException(key + "trust-store-password = ***: only with a trust-store");
            }
            return;
        }
        for (String address : addresses) {
            if (!address.startsWith("rediss://")) {
                throw new IllegalArgumentException(key + "trust-store = " + trustStore + ": only for rediss:// (TLS)"
                        + " addresses, but " + address + " is plain");
            }
        }
        if (!Files.isRegularFile(trustStore) || !Files.isReadable(trustStore)) {
            throw new IllegalArgumentException(key + "trust-store = " + trustStore + ": must be a readable file");
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " = " + value + ": must be a positive duration");
        }
    }

    /** Builds a {@link RegionConfig}. Not thread-safe. */
    public static final class Builder {
        private final String site;
        private final Mode mode;
        private final List<String> addresses;
        private final String masterName;
        private String username;
        private String password;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration commandTimeout = Duration.ofSeconds(1);
        private int retryAttempts = 1;
        private int connectionPoolSize = 16;
        private int nettyThreads = 2;
        private Path trustStore;
        private String trustStorePassword;

        private Builder(String site, Mode mode, List<String> addresses, String masterName) {
            this.site = site;
            this.mode = mode;
            this.addresses = addresses;
            this.masterName = masterName;
        }

        /** ACL user name (default none). */
        public Builder username(String value) {
            this.username = value;
            return this;
        }

        /** Password (default none). */
        public Builder password(String value) {
            this.password = value;
            return this;
        }

        /** Connect timeout (default 1 s). */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** Reply timeout after which the site counts as unavailable (default 1 s). */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = value;
            return this;
        }

        /** Retries of a failed command (default 1). */
        public Builder retryAttempts(int value) {
            this.retryAttempts = value;
            return this;
        }

        /** Connection pool size (default 16). */
        public Builder connectionPoolSize(int value) {
            this.connectionPoolSize = value;
            return this;
        }

        /** I/O threads (default 2). */
        public Builder nettyThreads(int value) {
            this.nettyThreads = value;
            return this;
        }

        /**
         * The trust store that holds the certificates (or CA certificates) of the servers of a {@code rediss://}
         * region (default: the JVM's default trust store). The file is read when the client connects.
         *
         * @param store    a PKCS12 (or JKS) file
         * @param password its password, or null if it has none
         */
        public Builder trustStore(Path store, String password) {
            this.trustStore = store;
            this.trustStorePassword = password;
            return this;
        }

        /** @throws IllegalArgumentException naming the key, the value and the rule it breaks */
        public RegionConfig build() {
            return new RegionConfig(site, mode, addresses, masterName, username, password, connectTimeout,
                    commandTimeout, retryAttempts, connectionPoolSize, nettyThreads, trustStore, trustStorePassword);
        }
    }
}
