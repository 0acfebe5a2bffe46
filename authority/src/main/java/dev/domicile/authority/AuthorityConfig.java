package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;

/**
 * Configuration of the ZooKeeper side of authority for one router. Immutable; build it with {@link #builder()},
 * which validates every key and names the key, the value and the rule it breaks.
 *
 * @param rootPath          znode under which authority lives ({@code partitions/<p>} documents, {@code leases/<p>})
 * @param localSite         the site this router runs in
 * @param routerId          this router's name within its site, written into the lease nodes it holds
 * @param sites             every known site
 * @param failoverOrder     per partition, the sites allowed to take it over, in order of preference; a partition
 *                          without an entry may be taken over by any known site
 * @param sessionTimeout    ZooKeeper session timeout asked for by {@link #curatorBuilder(String)}
 * @param connectionTimeout ZooKeeper connection timeout asked for by {@link #curatorBuilder(String)}
 * @param contactTimeout    how long without any answer from ZooKeeper (the watcher sends a heartbeat read every
 *                          quarter of it) before admission stops, even while the client still reports CONNECTED;
 *                          at most half the session timeout
 * @param safetyMargin      how long a standby waits after it saw the owner's lease node disappear before it may
 *                          take over; covers clock-rate drift and pauses of the old owner
 * @param retryAfter        the retry hint given with a refused write while authority is unknown
 * @param aclProvider       ACLs of every znode the library creates; never world-writable
 */
public record AuthorityConfig(String rootPath, SiteId localSite, String routerId, Set<SiteId> sites,
        Map<PartitionId, List<SiteId>> failoverOrder, Duration sessionTimeout, Duration connectionTimeout,
        Duration contactTimeout, Duration safetyMargin, Duration retryAfter, ACLProvider aclProvider) {

    /** Default of {@code rootPath}. */
    public static final String DEFAULT_ROOT = "/domicile/authority";
    /** Default of {@code sessionTimeout}. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(6);
    /** Default of {@code connectionTimeout}. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    /** Default of {@code safetyMargin}. */
    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(2);
    /** Default of {@code retryAfter}. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    /** Use {@link #builder()}; the canonical constructor validates as the builder does. */
    public AuthorityConfig {
        ConfigRules.check(rootPath, localSite, routerId, sites, failoverOrder, sessionTimeout, connectionTimeout,
                contactTimeout, safetyMargin, retryAfter, aclProvider);
        sites = Set.copyOf(sites);
        failoverOrder = Map.copyOf(failoverOrder);
    }

    /** A builder with every default set; {@code localSite} and {@code sites} must still be given. */
    public static AuthorityConfigBuilder builder() {
        return new AuthorityConfigBuilder();
    }

    /**
     * A Curator client builder for {@code connectString} with this configuration's session and connection timeouts,
     * ACL provider, a bounded exponential retry, and the standard error policy (SUSPENDED and LOST both count as
     * loss of connection). Add credentials ({@code authorization("digest", ...)}) when the ACL needs them, then
     * build and start the client; it stays the caller's to close.
     */
    public CuratorFrameworkFactory.Builder curatorBuilder(String connectString) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
                .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 29))
                .aclProvider(aclProvider)
                .connectionStateErrorPolicy(new StandardConnectionStateErrorPolicy());
    }

    /** Whether {@code site} may take {@code partition} over, by the failover order. */
    boolean mayTakeOver(PartitionId partition, SiteId site) {
        List<SiteId> order = failoverOrder.get(partition);
        return sites.contains(site) && (order == null || order.contains(site));
    }

    String partitionsPath() {
        return rootPath + "/partitions";
    }

    String leasesPath() {
        return rootPath + "/leases";
    }

    String authorityPath(PartitionId partition) {
        return partitionsPath() + "/" + partition.value();
    }

    String leasePath(PartitionId partition) {
        return leasesPath() + "/" + partition.value();
    }
}
