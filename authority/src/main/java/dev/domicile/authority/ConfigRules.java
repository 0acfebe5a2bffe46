package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.data.ACL;

/** The validation rules of {@link AuthorityConfig}; each failure names the key, the value and the rule. */
final class ConfigRules {

    private ConfigRules() {
    }

    static void check(String rootPath, SiteId localSite, String routerId, Set<SiteId> sites,
            Map<PartitionId, List<SiteId>> failoverOrder, Duration sessionTimeout, Duration connectionTimeout,
            Duration contactTimeout, Duration safetyMargin, Duration retryAfter, ACLProvider aclProvider) {
        if (rootPath == null || !rootPath.matches("(/[A-Za-z0-9._-]+)+")) {
            throw bad("rootPath", rootPath, "an absolute znode path of segments made of letters, digits, '.', '_'"
                    + " and '-', without a trailing '/'");
        }
        if (sites == null || sites.isEmpty()) {
            throw bad("sites", sites, "at least one known site");
        }
        if (localSite == null || !sites.contains(localSite)) {
            throw bad("localSite", localSite, "one of the known sites " + sites);
        }
        if (routerId == null || !routerId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("routerId", routerId, "1 to 64 letters, digits, '.', '_' or '-'");
        }
        for (Map.Entry<PartitionId, List<SiteId>> entry : failoverOrder.entrySet()) {
            String key = "failoverOrder." + entry.getKey();
            List<SiteId> order = entry.getValue();
            if (order.isEmpty()) {
                throw bad(key, order, "at least one site");
            }
            if (new HashSet<>(order).size() != order.size()) {
                throw bad(key, order, "each site at most once");
            }
            for (SiteId site : order) {
                if (!sites.contains(site)) {
                    throw bad(key, order, "only known sites " + sites + ", but '" + site + "' is unknown");
                }
            }
        }
        positive("sessionTimeout", sessionTimeout);
        positive("connectionTimeout", connectionTimeout);
        positive("retryAfter", retryAfter);
        positive("contactTimeout", contactTimeout);
        if (contactTimeout.multipliedBy(2).compareTo(sessionTimeout) > 0) {
            throw bad("contactTimeout", contactTimeout, "at most half the sessionTimeout " + sessionTimeout
                    + ", so that silence stops admission before the ZooKeeper client itself gives up");
        }
        if (safetyMargin == null || safetyMargin.isNegative()) {
            throw bad("safetyMargin", safetyMargin, "zero or positive");
        }
        if (connectionTimeout.compareTo(sessionTimeout) >= 0) {
            throw bad("connectionTimeout", connectionTimeout, "shorter than sessionTimeout " + sessionTimeout);
        }
        if (sessionTimeout.toMillis() > Integer.MAX_VALUE) {
            throw bad("sessionTimeout", sessionTimeout, "at most " + Integer.MAX_VALUE + " ms");
        }
        checkAcl(rootPath, aclProvider);
    }

    private static void checkAcl(String rootPath, ACLProvider aclProvider) {
        if (aclProvider == null) {
            throw bad("acl", null, "an ACL provider");
        }
        for (String path : List.of(rootPath, rootPath + "/partitions", rootPath + "/leases")) {
            List<ACL> acl = aclProvider.getAclForPath(path);
            if (acl == null || acl.isEmpty()) {
                throw bad("acl", acl, "at least one entry for " + path);
            }
            for (ACL entry : acl) {
                boolean world = AuthorityAcl.WORLD.equals(entry.getId());
                if (world && (entry.getPerms() & ~AuthorityAcl.READ) != 0) {
                    throw bad("acl", acl, "never world-writable: world:anyone may only READ " + path);
                }
            }
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw bad(key, value, "positive");
        }
    }

    private static IllegalArgumentException bad(String key, Object value, String rule) {
        return new IllegalArgumentException("authority configuration key '" + key + "' = " + value
                + " is invalid: it must be " + rule);
    }
}
