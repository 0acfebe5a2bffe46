package dev.domicile.sample.drill;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.SiteLease;
import dev.domicile.authority.WriteAdmission;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/**
 * One site's part in the authority: a Curator client that reaches ZooKeeper through the site's own link (so a
 * drill can cut it), the authority watcher, this site's write admission, and the lease it holds for the partitions
 * it owns. Closed in reverse order of start.
 */
final class SiteAgent implements AutoCloseable {

    private final String site;
    private final CuratorFramework client;
    private final AuthorityWatcher watcher;
    private final WriteAdmission admission;
    private final SiteLease lease;
    private final AuthorityStore store;

    private SiteAgent(String site, CuratorFramework client, AuthorityWatcher watcher, WriteAdmission admission,
                      SiteLease lease, AuthorityStore store) {
        this.site = site;
        this.client = client;
        this.watcher = watcher;
        this.admission = admission;
        this.lease = lease;
        this.store = store;
    }

    /**
     * Connects to ZooKeeper at {@code connectString} (with the digest credentials {@code auth}, "user:password") and
     * starts watching; everything started is closed again if a later step fails.
     *
     * @throws IllegalStateException if ZooKeeper cannot be reached within the connection timeout
     */
    static SiteAgent start(String site, AuthorityConfig config, String connectString, String auth)
            throws InterruptedException {
        CuratorFramework client = config.curatorBuilder(connectString)
                .authorization("digest", auth.getBytes(StandardCharsets.UTF_8)).build();
        client.start();
        AuthorityWatcher watcher = null;
        WriteAdmission admission = null;
        try {
            if (!client.blockUntilConnected(Math.toIntExact(config.connectionTimeout().toMillis() * 3),
                    TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("site " + site + " cannot reach ZooKeeper at " + connectString);
            }
            watcher = AuthorityWatcher.start(client, config);
            admission = WriteAdmission.start(watcher);
            SiteLease lease = SiteLease.start(client, watcher);
            return new SiteAgent(site, client, watcher, admission, lease, AuthorityStore.of(client, config));
        } catch (RuntimeException | InterruptedException e) {
            if (admission != null) {
                admission.close();
            }
            if (watcher != null) {
                watcher.close();
            }
            client.close();
            throw e;
        }
    }

    String site() {
        return site;
    }

    AuthorityWatcher watcher() {
        return watcher;
    }

    WriteAdmission admission() {
        return admission;
    }

    AuthorityStore store() {
        return store;
    }

    @Override
    public void close() {
        try {
            lease.close();
        } finally {
            try {
                admission.close();
            } finally {
                try {
                    watcher.close();
                } finally {
                    client.close();
                }
            }
        }
    }
}
