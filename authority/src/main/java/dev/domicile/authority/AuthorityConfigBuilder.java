package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.curator.framework.api.ACLProvider;

/**
 * Builds an {@link AuthorityConfig}. Not thread-safe; {@link #build()} validates and snapshots, so a builder can be
 * reused.
 *
 * <pre>{@code
 * AuthorityConfig config = AuthorityConfig.builder()
 *         .localSite("eu-west").sites("eu-west", "us-east")
 *         .failoverOrder("eu-west", "us-east")
 *         .sessionTimeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public final class AuthorityConfigBuilder {

    private String rootPath = AuthorityConfig.DEFAULT_ROOT;
    private SiteId localSite;
    private String routerId = "router-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final Set<SiteId> sites = new LinkedHashSet<>();
    private final Map<PartitionId, List<SiteId>> failoverOrder = new LinkedHashMap<>();
    private Duration sessionTimeout = AuthorityConfig.DEFAULT_SESSION_TIMEOUT;
    private Duration connectionTimeout = AuthorityConfig.DEFAULT_CONNECTION_TIMEOUT;
    private Duration contactTimeout;
    private Duration safetyMargin = AuthorityConfig.DEFAULT_SAFETY_MARGIN;
    private Duration retryAfter = AuthorityConfig.DEFAULT_RETRY_AFTER;
    private ACLProvider aclProvider = new AuthorityAcl();

    AuthorityConfigBuilder() {
    }

    /** Key {@code rootPath} (default {@value AuthorityConfig#DEFAULT_ROOT}). */
    public AuthorityConfigBuilder rootPath(String value) {
        this.rootPath = value;
        return this;
    }

    /** Key {@code localSite} (required): the site this router runs in. */
    public AuthorityConfigBuilder localSite(String value) {
        this.localSite = SiteId.of(value);
        return this;
    }

    /** Key {@code routerId} (default a random {@code router-<hex>}). */
    public AuthorityConfigBuilder routerId(String value) {
        this.routerId = value;
        return this;
    }

    /** Key {@code sites} (required): adds known sites. */
    public AuthorityConfigBuilder sites(String... values) {
        for (String value : values) {
            sites.add(SiteId.of(value));
        }
        return this;
    }

    /** Key {@code failoverOrder.<partition>}: the sites that may take {@code partition} over, best first. */
    public AuthorityConfigBuilder failoverOrder(String partition, String... sitesInOrder) {
        failoverOrder.put(PartitionId.of(partition), List.of(sitesInOrder).stream().map(SiteId::of).toList());
        return this;
    }

    /** Key {@code sessionTimeout} (default 6 s). */
    public AuthorityConfigBuilder sessionTimeout(Duration value) {
        this.sessionTimeout = value;
        return this;
    }

    /** Key {@code connectionTimeout} (default 3 s). */
    public AuthorityConfigBuilder connectionTimeout(Duration value) {
        this.connectionTimeout = value;
        return this;
    }

    /** Key {@code contactTimeout} (default a third of {@code sessionTimeout}). */
    public AuthorityConfigBuilder contactTimeout(Duration value) {
        this.contactTimeout = value;
        return this;
    }

    /** Key {@code safetyMargin} (default 2 s). */
    public AuthorityConfigBuilder safetyMargin(Duration value) {
        this.safetyMargin = value;
        return this;
    }

    /** Key {@code retryAfter} (default 1 s). */
    public AuthorityConfigBuilder retryAfter(Duration value) {
        this.retryAfter = value;
        return this;
    }

    /** Key {@code acl} (default: full rights for the authenticated creator, read for everyone). */
    public AuthorityConfigBuilder aclProvider(ACLProvider value) {
        this.aclProvider = value;
        return this;
    }

    /**
     * Validates and snapshots.
     *
     * @throws IllegalArgumentException naming the key, the value and the rule it breaks
     */
    public AuthorityConfig build() {
        return new AuthorityConfig(rootPath, localSite, routerId, new LinkedHashSet<>(sites),
                new LinkedHashMap<>(failoverOrder), sessionTimeout, connectionTimeout,
                contactTimeout != null || sessionTimeout == null ? contactTimeout : sessionTimeout.dividedBy(3),
                safetyMargin, retryAfter,
                aclProvider);
    }
}
