package dev.domicile.micronaut;

import dev.domicile.authority.Authority;
import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.NotAuthoritativeException;
import dev.domicile.authority.SiteLease;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's part in write authority, when {@code domicile.zookeeper.connect-string} is set: a Curator client, the
 * {@link AuthorityWatcher} of every partition, the {@link WriteAdmission} of this site's writes (given to the routing
 * data source) and the {@link SiteLease} that tells standbys this site is alive.
 *
 * <p>{@link #start} waits up to {@code connection-timeout} for ZooKeeper. With {@code initialize: true} it must reach
 * it (else start-up fails) and creates each missing authority document (epoch 1, owner the home site). Without,
 * a process that cannot reach ZooKeeper still starts: it refuses writes and reports DOWN until it connects.
 *
 * <p>Thread-safe. {@link #close()} closes the lease (deleting its nodes), the admission, the watcher and the client, in
 * that order; idempotent.
 */
final class DomicileAuthority implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DomicileAuthority.class);

    private final CuratorFramework client;
    private final AuthorityWatcher watcher;
    private final WriteAdmission admission;
    private final SiteLease lease;

    private DomicileAuthority(CuratorFramework client, AuthorityWatcher watcher, WriteAdmission admission,
                              SiteLease lease) {
        this.client = client;
        this.watcher = watcher;
        this.admission = admission;
        this.lease = lease;
    }

    /**
     * Connects and starts watching, admitting and holding leases.
     *
     * @throws DomicileConfigurationException if {@code initialize} is set and ZooKeeper cannot be reached, or
     *                                        initializing fails
     */
    static DomicileAuthority start(AuthoritySettings settings, DomicileConfig config) {
        AuthorityConfig authority = settings.authority();
        CuratorFrameworkFactory.Builder builder = authority.curatorBuilder(settings.connectString());
        settings.digest().ifPresent(d -> builder.authorization("digest", d.getBytes(StandardCharsets.UTF_8)));
        CuratorFramework client = builder.build();
        client.start();
        AuthorityWatcher watcher = null;
        WriteAdmission admission = null;
        try {
            boolean connected = client.blockUntilConnected(
                    (int) authority.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (settings.initialize()) {
                initialize(client, authority, config, connected, settings.connectString());
            } else if (!connected) {
                LOG.warn("ZooKeeper {} not reached within {}: writes are refused until it is",
                        settings.connectString(), authority.connectionTimeout());
            }
            watcher = AuthorityWatcher.start(client, authority);
            admission = WriteAdmission.start(watcher);
            return new DomicileAuthority(client, watcher, admission, SiteLease.start(client, watcher));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(admission, watcher, client);
            throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
        } catch (RuntimeException e) {
            closeQuietly(admission, watcher, client);
            throw e;
        }
    }

    private static void initialize(CuratorFramework client, AuthorityConfig authority, DomicileConfig config,
                                   boolean connected, String connectString) {
        if (!connected) {
            throw new DomicileConfigurationException("domicile.zookeeper.initialize", true, "ZooKeeper "
                    + connectString + " must be reachable within domicile.zookeeper.connection-timeout "
                    + authority.connectionTimeout() + " to create the authority documents");
        }
        AuthorityStore store = AuthorityStore.of(client, authority);
        for (Partition partition : config.mapDefinition().partitions()) {
            Authority now = store.initialize(partition.id(), partition.home());
            LOG.info("authority of {}: {} at epoch {} ({})", partition.id(), now.owner(), now.epoch(), now.reason());
        }
    }

    AuthorityWatcher watcher() {
        return watcher;
    }

    WriteAdmission admission() {
        return admission;
    }

    SiteLease lease() {
        return lease;
    }

    /**
     * Where a write of {@code partition} must run: empty if this site may write it now, else the refusal, whose
     * hint says whether to forward it to its owner or retry later. Never blocks.
     */
    Optional<NotAuthoritativeException> refusal(PartitionId partition) {
        try {
            admission.admit(partition);
            return Optional.empty();
        } catch (NotAuthoritativeException e) {
            return Optional.of(e);
        }
    }

    /** The owner of {@code partition} as last known, if any. */
    Optional<SiteId> owner(PartitionId partition) {
        return watcher.authority(partition).map(Authority::owner);
    }

    @Override
    public void close() {
        closeQuietly(lease, admission, watcher, client);
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed", resource, e);
                }
            }
        }
    }
}
