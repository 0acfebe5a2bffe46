package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Changes who may write a partition. Every change of owner replaces the authority document by compare-and-set on
 * its znode version and raises the epoch by one, so of two concurrent changes based on the same epoch exactly one
 * wins and epochs only grow. A change of owner ({@link #claim}, {@link #handOver}, {@link #takeOver}) publishes the
 * new epoch {@linkplain Authority.Phase#FENCING FENCING}: nobody admits writes of the partition yet. It does not
 * touch databases: the new owner raises its database's {@link Fence} to the new epoch, then publishes the epoch
 * {@linkplain Authority.Phase#ACTIVE ACTIVE} with {@link #activate} (a compare-and-set on the same document), and
 * only then do its routers admit writes. So a writer of the new epoch never meets a database whose fence still
 * lets a stalled writer of the old epoch commit.
 *
 * <p>Stateless apart from its client; thread-safe. Every method blocks on ZooKeeper (for at most the client's retry
 * policy) and throws {@link AuthorityStoreException} when ZooKeeper fails or refuses, e.g. for lack of credentials.
 */
public final class AuthorityStore {

    private final CuratorFramework client;
    private final AuthorityConfig config;
    private final Clock clock;

    private AuthorityStore(CuratorFramework client, AuthorityConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /** A store over a started client, stamping changes with the system clock. */
    public static AuthorityStore of(CuratorFramework client, AuthorityConfig config) {
        return of(client, config, Clock.systemUTC());
    }

    /** A store over a started client, stamping changes with {@code clock}. */
    public static AuthorityStore of(CuratorFramework client, AuthorityConfig config, Clock clock) {
        return new AuthorityStore(Objects.requireNonNull(client, "client"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Publishes {@code owner} at epoch 1 unless the partition already has an authority, which then stays.
     *
     * @return the authority in force
     * @throws IllegalArgumentException if {@code owner} is not a known site
     */
    public Authority initialize(PartitionId partition, SiteId owner) {
        requireKnown(owner);
        Authority first = new Authority(partition, owner, 1, clock.instant(), "initial");
        try {
            for (String path : parents()) {
                createPersistent(path, null);
            }
            if (createPersistent(config.authorityPath(partition), AuthorityDocument.write(first))) {
                return first;
            }
            return read(partition).orElseThrow();
        } catch (KeeperException e) {
            throw failure("initialize", partition, e);
        }
    }

    /** The authority in ZooKeeper now, read through; empty if the partition has none. */
    public Optional<Authority> read(PartitionId partition) {
        try {
            return Optional.of(readWithStat(partition, new Stat()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (KeeperException e) {
            throw failure("read", partition, e);
        }
    }

    /**
     * Makes {@code site} the owner at the next epoch, FENCING, if the authority is still at {@code expectedEpoch}.
     * Writes stay refused until {@link #activate}.
     *
     * @throws AuthorityConflictException if the epoch is not {@code expectedEpoch}, or changed concurrently
     * @throws IllegalArgumentException   if {@code site} is not a known site
     */
    public Authority claim(PartitionId partition, SiteId site, long expectedEpoch) {
        return replace(partition, expectedEpoch, site, "claimed by " + site);
    }

    /**
     * A planned change of owner to {@code toSite} at the next epoch, FENCING: raise the fence of {@code toSite}'s
     * database to the returned epoch, then {@link #activate} it. ({@link Switchover} does not use it: it fences
     * first and publishes the new owner ACTIVE at once with {@link #completeMove}.)
     *
     * @throws AuthorityConflictException if the epoch is not {@code expectedEpoch}, or changed concurrently
     * @throws IllegalArgumentException   if {@code toSite} is unknown or already the owner
     */
    public Authority handOver(PartitionId partition, SiteId toSite, long expectedEpoch) {
        Authority current = read(partition).orElseThrow(() -> noAuthority(partition));
        if (current.owner().equals(toSite)) {
            throw new IllegalArgumentException("partition " + partition + " is already owned by " + toSite);
        }
        return replace(partition, expectedEpoch, toSite, "planned hand-over from " + current.owner() + " to "
                + toSite);
    }

    /**
     * Takes {@code partition} over for {@code standby} if {@code watcher}'s {@link AuthorityWatcher#takeoverCheck}
     * allows it now, replacing the authority the check saw by {@code standby} at the next epoch, FENCING. Writes stay
     * refused until the taker has raised its database's fence and called {@link #activate}. A partition that is
     * moving (a {@link Switchover} in progress whose owner lost its lease) is taken over too: the claim ends the
     * moving state, its reason says which switchover it preempts, and that switchover can then neither complete nor
     * abort ({@link SwitchoverPreemptedException}).
     *
     * @throws TakeoverRefusedException   if the check does not allow it (yet)
     * @throws AuthorityConflictException if the authority changed after the check
     */
    public Authority takeOver(AuthorityWatcher watcher, PartitionId partition, SiteId standby) {
        TakeoverCheck check = watcher.takeoverCheck(partition, standby);
        if (!check.eligible()) {
            throw new TakeoverRefusedException(check);
        }
        Authority old = check.current().orElseThrow();
        String preempts = old.movingTo().map(target -> "; preempts the planned switchover from " + old.owner()
                + " to " + target + " (it can no longer complete or abort)").orElse("");
        return replace(partition, old.epoch(), standby, "takeover by " + standby + ": " + check.reason() + preempts);
    }

    /**
     * Opens the epoch {@code epoch} for writes: publishes it {@linkplain Authority.Phase#ACTIVE ACTIVE} (same owner,
     * by compare-and-set on the document version it read). Call it only once the owner's database fence is at
     * {@code epoch}. Idempotent: an epoch already ACTIVE is returned unchanged, so a retry after a lost answer is
     * harmless.
     *
     * @throws AuthorityConflictException if the epoch is no longer {@code epoch}, or changed concurrently
     */
    public Authority activate(PartitionId partition, long epoch) {
        return change(partition, epoch, current -> current.phase() == Authority.Phase.ACTIVE ? current
                : current.activated(clock.instant(), current.reason() + "; fence raised, active"));
    }

    /**
     * As {@link #activate(PartitionId, long)}, recording in the same change where the promoted database's timeline
     * began.
     *
     * @throws AuthorityConflictException if the epoch is no longer {@code epoch}, or changed concurrently
     */
    public Authority activate(PartitionId partition, long epoch, TimelineStart start) {
        Objects.requireNonNull(start, "start");
        return change(partition, epoch, current -> (current.phase() == Authority.Phase.ACTIVE ? current
                : current.activated(clock.instant(), current.reason() + "; fence raised, active"))
                .withTimelineStart(start));
    }

    /**
     * Marks the partition as moving to {@code target} (a planned {@link Switchover} begins): same owner and epoch, and
     * no router admits writes of it until {@link #completeMove} or {@link #abortMove}.
     *
     * @throws AuthorityConflictException if the epoch is not {@code expectedEpoch}, changed concurrently, or the
     *                                    partition is already moving
     * @throws IllegalArgumentException   if {@code target} is unknown or already the owner
     */
    public Authority beginMove(PartitionId partition, SiteId target, long expectedEpoch) {
        requireKnown(target);
        return change(partition, expectedEpoch, current -> {
            if (current.movingTo().isPresent()) {
                throw new AuthorityConflictException(partition, expectedEpoch, current.epoch(), "it is already moving"
                        + " to " + current.movingTo().get());
            }
            if (current.owner().equals(target)) {
                throw new IllegalArgumentException("partition " + partition + " is already owned by " + target);
            }
            if (current.phase() == Authority.Phase.FENCING) {
                throw new AuthorityConflictException(partition, expectedEpoch, current.epoch(), "epoch "
                        + current.epoch() + " is still FENCING (activate it first)");
            }
            return current.moving(target, clock.instant(), "planned switchover from " + current.owner() + " to "
                    + target + " in progress");
        });
    }

    /**
     * Ends a switchover: {@code target} owns the partition at the next epoch, with {@code start} recorded, published
     * ACTIVE at once: call it only once the target's database fence is at the next epoch ({@link Switchover} raises
     * it before; the moving state kept writes refused meanwhile, as FENCING does for a takeover).
     *
     * @throws AuthorityConflictException if the partition is not moving to {@code target} at {@code expectedEpoch}
     */
    public Authority completeMove(PartitionId partition, SiteId target, long expectedEpoch, TimelineStart start) {
        return change(partition, expectedEpoch, current -> {
            requireMoving(current, target, expectedEpoch);
            return current.next(target, clock.instant(), "planned switchover from " + current.owner() + " to "
                    + target).withTimelineStart(start);
        });
    }

    /**
     * Gives up a switchover: the owner keeps the partition, at the next epoch, ACTIVE, and admits writes again
     * ({@link Switchover} aborts only once the old primary's fence is at the next epoch).
     *
     * @throws AuthorityConflictException if the partition is not moving at {@code expectedEpoch}
     */
    public Authority abortMove(PartitionId partition, long expectedEpoch, String why) {
        return change(partition, expectedEpoch, current -> {
            requireMoving(current, current.movingTo().orElse(null), expectedEpoch);
            return current.next(current.owner(), clock.instant(), "switchover to " + current.movingTo().get()
                    + " aborted: " + why);
        });
    }

    /**
     * Records where the promoted database's timeline began, on the authority at {@code epoch} (same owner and epoch).
     *
     * @throws AuthorityConflictException if the epoch is no longer {@code epoch}
     */
    public Authority recordTimelineStart(PartitionId partition, long epoch, TimelineStart start) {
        return change(partition, epoch, current -> current.withTimelineStart(start));
    }

    private static void requireMoving(Authority current, SiteId target, long expectedEpoch) {
        if (current.movingTo().isEmpty() || !current.movingTo().get().equals(target)) {
            throw new AuthorityConflictException(current.partition(), expectedEpoch, current.epoch(),
                    "it is not moving to " + target + " (owner " + current.owner() + ", moving "
                            + current.movingTo().map(SiteId::value).orElse("nowhere") + ")");
        }
    }

    private Authority replace(PartitionId partition, long expectedEpoch, SiteId newOwner, String reason) {
        requireKnown(newOwner);
        return change(partition, expectedEpoch, current -> current.claimed(newOwner, clock.instant(), reason));
    }

    /** Replaces the authority at {@code expectedEpoch} by {@code next(current)}, by compare-and-set. */
    private Authority change(PartitionId partition, long expectedEpoch, UnaryOperator<Authority> next) {
        try {
            Stat stat = new Stat();
            Authority current = readWithStat(partition, stat);
            if (current.epoch() != expectedEpoch) {
                throw new AuthorityConflictException(partition, expectedEpoch, current.epoch(), "found epoch "
                        + current.epoch() + " owned by " + current.owner());
            }
            Authority changed = next.apply(current);
            if (changed.equals(current)) {
                return current;
            }
            call(() -> client.setData().withVersion(stat.getVersion())
                    .forPath(config.authorityPath(partition), AuthorityDocument.write(changed)));
            return changed;
        } catch (KeeperException.BadVersionException e) {
            throw new AuthorityConflictException(partition, expectedEpoch, -1, "it changed concurrently");
        } catch (KeeperException.NoNodeException e) {
            throw noAuthority(partition);
        } catch (KeeperException e) {
            throw failure("change", partition, e);
        }
    }

    private Authority readWithStat(PartitionId partition, Stat stat) throws KeeperException {
        byte[] data = call(() -> client.getData().storingStatIn(stat).forPath(config.authorityPath(partition)));
        try {
            return AuthorityDocument.read(data, partition, config.sites());
        } catch (IllegalArgumentException e) {
            throw new AuthorityStoreException("refusing to use the authority node " + config.authorityPath(partition)
                    + " (version " + stat.getVersion() + "): " + e.getMessage()
                    + "; repair or delete it by hand, then initialize the partition");
        }
    }

    /** Every ancestor of the root, the root, and its two folders, top down. */
    private List<String> parents() {
        List<String> paths = new ArrayList<>();
        String root = config.rootPath();
        for (int slash = root.indexOf('/', 1); slash > 0; slash = root.indexOf('/', slash + 1)) {
            paths.add(root.substring(0, slash));
        }
        paths.addAll(List.of(config.rootPath(), config.partitionsPath(), config.leasesPath()));
        return paths;
    }

    private boolean createPersistent(String path, byte[] data) throws KeeperException {
        try {
            byte[] bytes = data == null ? new byte[0] : data;
            call(() -> client.create().withMode(CreateMode.PERSISTENT)
                    .withACL(config.aclProvider().getAclForPath(path)).forPath(path, bytes));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        }
    }

    private void requireKnown(SiteId site) {
        if (!config.sites().contains(Objects.requireNonNull(site, "site"))) {
            throw new IllegalArgumentException("site " + site + " is not a known site " + config.sites());
        }
    }

    private AuthorityStoreException noAuthority(PartitionId partition) {
        return new AuthorityStoreException("partition " + partition + " has no authority at "
                + config.authorityPath(partition) + "; initialize it first");
    }

    private AuthorityStoreException failure(String what, PartitionId partition, KeeperException e) {
        String hint = e instanceof KeeperException.NoAuthException || e instanceof KeeperException.InvalidACLException
                ? " (does the Curator client carry the credentials the ACL " + config.aclProvider() + " needs?)" : "";
        return new AuthorityStoreException("cannot " + what + " the authority of partition " + partition + ": "
                + e.getMessage() + hint, e);
    }

    /** Runs a Curator call, letting ZooKeeper's own exceptions through and wrapping the rest. */
    static <T> T call(ZkCall<T> call) throws KeeperException {
        try {
            return call.run();
        } catch (KeeperException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthorityStoreException("interrupted while talking to ZooKeeper", e);
        } catch (Exception e) {
            throw new AuthorityStoreException("ZooKeeper failed: " + e, e);
        }
    }

    /** A Curator operation. */
    @FunctionalInterface
    interface ZkCall<T> {
        T run() throws Exception;
    }
}
