package dev.domicile.authority;

import dev.domicile.partition.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A site's liveness for automatic failover: each {@link FailoverCoordinator} holds an ephemeral node
 * {@code <root>/sites/<site>/<router id>}; a site is <em>live</em> while at least one such node exists, and a
 * coordinator counts its own site as live only while the node's {@code ephemeralOwner} is its current session
 * (never because a node of an expired session of its own is still there, CURATOR-696). Blocking; used from the
 * coordinator's thread only.
 */
final class SitePresence {

    private final CuratorFramework client;
    private final AuthorityConfig config;
    private final String path;

    SitePresence(CuratorFramework client, AuthorityConfig config) {
        this.client = client;
        this.config = config;
        this.path = sitesPath(config) + "/" + config.localSite() + "/" + config.routerId();
    }

    static String sitesPath(AuthorityConfig config) {
        return config.rootPath() + "/sites";
    }

    /** Creates the node if missing; whether this session holds it now. */
    boolean hold() throws Exception {
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        Stat stat = client.checkExists().forPath(path);
        if (stat == null) {
            // Parents by hand: Curator's creatingParentsIfNeeded hands the provider's immutable ACL list to ZooKeeper,
            // whose validation calls contains(null) on it and fails.
            createParent(sitesPath(config));
            createParent(sitesPath(config) + "/" + config.localSite());
            try {
                client.create().withMode(CreateMode.EPHEMERAL)
                        .withACL(config.aclProvider().getAclForPath(path))
                        .forPath(path, config.localSite().value().getBytes(StandardCharsets.UTF_8));
            } catch (KeeperException.NodeExistsException e) {
                // created concurrently, or our previous session's node: its ephemeralOwner decides below
            }
            stat = client.checkExists().forPath(path);
        }
        return stat != null && stat.getEphemeralOwner() == session;
    }

    private void createParent(String parent) throws Exception {
        try {
            client.create().withMode(CreateMode.PERSISTENT).withACL(config.aclProvider().getAclForPath(parent))
                    .forPath(parent, new byte[0]);
        } catch (KeeperException.NodeExistsException e) {
            // there already
        }
    }

    /** The sites with at least one presence node now. */
    Set<SiteId> liveSites() throws Exception {
        Set<SiteId> live = new HashSet<>();
        String sites = sitesPath(config);
        try {
            for (String site : client.getChildren().forPath(sites)) {
                try {
                    if (!client.getChildren().forPath(sites + "/" + site).isEmpty()) {
                        live.add(SiteId.of(site));
                    }
                } catch (KeeperException.NoNodeException | IllegalArgumentException e) {
                    // gone meanwhile, or not a site name: not live
                }
            }
        } catch (KeeperException.NoNodeException e) {
            return Set.of();
        }
        return live;
    }

    /** Deletes the node if this session holds it. */
    void release() {
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == session) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (Exception e) {
            // it ends with the session
        }
    }
}
