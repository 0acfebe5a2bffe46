package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails partitions over to this site automatically. One per router (or per site); every {@code checkInterval} it
 * looks at each partition it has a {@link FailoverPlan} for and takes it over when all of these hold:
 *
 * <ul>
 *   <li>the partition's owner is another site, its lease node is gone and the safety margin has passed since this
 *       router's watcher saw it go ({@link AuthorityWatcher#takeoverCheck}: the watcher is live, this site is in the
 *       failover order);</li>
 *   <li>this site is <em>live</em> (this coordinator holds its presence node {@code <root>/sites/<site>/<router>} in
 *       its current ZooKeeper session) and is the first live site of the partition's failover order other than the
 *       owner (a site is live while at least one of its coordinators holds a presence node).</li>
 * </ul>
 *
 * <p>It then runs {@link Failover#run} with the plan's recovery-point policy. Exactly one router wins even if several
 * try: the authority moves by compare-and-set ({@link FailoverEvent.LostRace} for the others). A SAFE plan without
 * a synchronous standby is refused ({@link FailoverEvent.Refused}) and the partition stays unavailable; so is an
 * AVAILABLE one whose candidate is further behind than the plan's {@link Failover.LagBound}; an AVAILABLE one
 * reports the range that may be lost in its {@link Failover.Report}. The claimed epoch is published FENCING and
 * only made ACTIVE once the candidate's fence is raised; if promotion or fencing fails, the partition stays FENCING
 * ({@link FailoverEvent.FencingIncomplete}) and this coordinator retries ({@link Failover#resume}) every
 * {@code checkInterval} until it succeeds or the authority changes. A reachable old primary is checked for
 * {@link Divergence} and retired by the failover itself; databases of the partition that were
 * unreachable at the takeover (the old primary) are probed every {@code checkInterval} on a second thread; when one
 * answers again it is checked for {@link Divergence} (never merged) and retired ({@link Fence#retire}).
 *
 * <p>Every decision is a {@link FailoverEvent}, not repeated while its partition, epoch and kind stay the same. Time
 * is the injected clock's.
 * Lifecycle: {@link #start} starts two named threads ({@code domicile-failover@<root>/<site>} and
 * {@code domicile-failover-returns@<root>/<site>}); {@link #close()} stops them and deletes the presence node. The
 * client, store and watcher stay the caller's. Thread-safe.
 */
public final class FailoverCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverCoordinator.class);

    /** A takeover of {@code epoch} from {@code from} that is still FENCING. */
    private record Incomplete(long epoch, SiteId from) {
    }

    /** A database still unreachable since the takeover at {@code epoch}. */
    private record Returning(PartitionId partition, Failover.Database database, long epoch, TimelineStart start,
            Duration fenceWait) {
    }

    private final AuthorityStore store;
    private final AuthorityWatcher watcher;
    private final AuthorityConfig config;
    private final SiteId local;
    private final Map<PartitionId, FailoverPlan> plans;
    private final Clock clock;
    private final FailoverListener listener;
    private final SitePresence presence;
    private final ScheduledExecutorService decider;
    private final ScheduledExecutorService returns;
    private final Map<PartitionId, String> told = new HashMap<>();
    /** Takeovers this coordinator claimed but could not fence yet (FENCING), by partition; decider thread only. */
    private final Map<PartitionId, Incomplete> incomplete = new HashMap<>();
    private final Map<String, Returning> returning = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private FailoverCoordinator(CuratorFramework client, AuthorityStore store, AuthorityWatcher watcher,
            Map<PartitionId, FailoverPlan> plans, Clock clock, FailoverListener listener) {
        this.store = store;
        this.watcher = watcher;
        this.config = watcher.config();
        this.local = config.localSite();
        this.plans = plans;
        this.clock = clock;
        this.listener = listener;
        this.presence = new SitePresence(client, config);
        String name = config.rootPath() + "/" + local;
        this.decider = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("domicile-failover@" + name).factory());
        this.returns = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("domicile-failover-returns@" + name).factory());
    }

    /**
     * Starts coordinating.
     *
     * @param client        the started client {@code watcher} uses (the presence node lives in its session)
     * @param plans         one per partition this site may take over
     * @param checkInterval how often to decide, and to probe unreachable databases
     * @param clock         the time of events
     * @throws IllegalArgumentException if two plans name the same partition, a plan's partition has no failover
     *                                  order naming this site ({@code failoverOrder.<partition>}), or
     *                                  {@code checkInterval} is not positive
     */
    public static FailoverCoordinator start(CuratorFramework client, AuthorityStore store, AuthorityWatcher watcher,
            List<FailoverPlan> plans, Duration checkInterval, Clock clock, FailoverListener listener) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval = " + checkInterval + " is invalid: it must be positive");
        }
        AuthorityConfig config = watcher.config();
        Map<PartitionId, FailoverPlan> byPartition = new HashMap<>();
        for (FailoverPlan plan : plans) {
            List<SiteId> order = config.failoverOrder().get(plan.partition());
            if (order == null || !order.contains(config.localSite())) {
                throw new IllegalArgumentException("authority configuration key 'failoverOrder." + plan.partition()
                        + "' = " + order + " is invalid for automatic failover: it must name the local site "
                        + config.localSite() + " (the coordinator follows that order)");
            }
            if (byPartition.put(plan.partition(), plan) != null) {
                throw new IllegalArgumentException("two failover plans for partition " + plan.partition());
            }
        }
        FailoverCoordinator coordinator = new FailoverCoordinator(client, store, watcher, Map.copyOf(byPartition),
                clock, listener);
        long period = checkInterval.toMillis();
        coordinator.decider.scheduleWithFixedDelay(coordinator::decide, 0, period, TimeUnit.MILLISECONDS);
        coordinator.returns.scheduleWithFixedDelay(coordinator::probeReturning, period, period, TimeUnit.MILLISECONDS);
        return coordinator;
    }

    /** The databases still awaited since a takeover (unreachable then), by name. */
    public Set<String> awaitedDatabases() {
        return Set.copyOf(returning.keySet());
    }

    private void decide() {
        if (closed) {
            return;
        }
        try {
            boolean live = presence.hold();
            AuthoritySnapshot snapshot = watcher.snapshot();
            if (!snapshot.live()) {
                return;
            }
            for (FailoverPlan plan : plans.values()) {
                Optional<Authority> current = snapshot.authority(plan.partition());
                if (current.isPresent() && !current.get().owner().equals(local)) {
                    incomplete.remove(plan.partition());
                    consider(plan, current.get(), live);
                } else if (current.isPresent()) {
                    resumeIfIncomplete(plan, current.get(), live);
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.warn("failover coordinator at {} could not decide (next tick retries): {}", local, e.toString());
        }
    }

    private void consider(FailoverPlan plan, Authority current, boolean live) throws Exception {
        PartitionId partition = plan.partition();
        if (!watcher.takeoverCheck(partition, local).eligible()) {
            return;
        }
        if (!live) {
            tell(current, "deferred-self", new FailoverEvent.Deferred(partition, clock.instant(), local,
                    "this site is not live: its presence node is not held by this session"));
            return;
        }
        Set<SiteId> liveSites = presence.liveSites();
        Optional<SiteId> first = config.failoverOrder().get(partition).stream()
                .filter(site -> !site.equals(current.owner()) && liveSites.contains(site)).findFirst();
        if (first.isPresent() && !first.get().equals(local)) {
            tell(current, "deferred-" + first.get(), new FailoverEvent.Deferred(partition, clock.instant(),
                    first.get(), first.get() + " comes first in the failover order and is live"));
            return;
        }
        try {
            tookOver(plan, current.owner(), current.epoch(), Failover.run(store, watcher, request(plan)));
        } catch (FencingIncompleteException e) {
            fencingIncomplete(e, current.owner());
        } catch (FailoverRefusedException e) {
            tell(current, "refused", new FailoverEvent.Refused(partition, clock.instant(), e.getMessage()));
        } catch (AuthorityConflictException e) {
            tell(current, "lost", new FailoverEvent.LostRace(partition, clock.instant(), e.getMessage()));
        } catch (TakeoverRefusedException e) {
            LOG.debug("takeover of {} no longer allowed: {}", partition, e.getMessage());
        } catch (SQLException | RuntimeException e) {
            tell(current, "failed", new FailoverEvent.Failed(partition, clock.instant(), e.toString()));
        }
    }

    /** Retries the fencing of a takeover this coordinator left FENCING, while the authority still is that claim. */
    private void resumeIfIncomplete(FailoverPlan plan, Authority current, boolean live) {
        PartitionId partition = plan.partition();
        Incomplete claim = incomplete.get(partition);
        if (claim == null) {
            if (live && current.phase() == Authority.Phase.FENCING) {
                tell(current, "unattended", new FailoverEvent.FencingUnattended(partition, clock.instant(),
                        current.epoch()));
            }
            return;
        }
        if (current.epoch() != claim.epoch() || current.phase() != Authority.Phase.FENCING) {
            incomplete.remove(partition);
            return;
        }
        try {
            tookOver(plan, claim.from(), claim.epoch(), Failover.resume(store, request(plan)));
        } catch (FencingIncompleteException e) {
            fencingIncomplete(e, claim.from());
        } catch (AuthorityConflictException e) {
            incomplete.remove(partition);
            LOG.info("fencing of {} at epoch {} no longer ours to complete: {}", partition, claim.epoch(),
                    e.getMessage());
        } catch (SQLException | RuntimeException e) {
            tell(partition, claim.epoch(), "failed", new FailoverEvent.Failed(partition, clock.instant(),
                    e.toString()));
        }
    }

    private Failover.Request request(FailoverPlan plan) {
        return new Failover.Request(plan.partition(), local, plan.candidate(), plan.candidateSynchronous(),
                plan.others(), plan.policy(), plan.lastKnownPrimaryLsn().getAsLong(), plan.fenceWait(),
                plan.lagBound(), plan.promoter());
    }

    private void tookOver(FailoverPlan plan, SiteId from, long fromEpoch, Failover.Report report) {
        PartitionId partition = plan.partition();
        incomplete.remove(partition);
        LOG.warn("took partition {} over from {}: {}", partition, from, report);
        for (Failover.Database other : plan.others()) {
            if (report.fences().getOrDefault(other.name(), "").startsWith("unreachable")) {
                returning.put(other.name(), new Returning(partition, other, report.authority().epoch(),
                        report.timelineStart(), plan.fenceWait()));
            }
        }
        tell(partition, fromEpoch, "took", new FailoverEvent.TookOver(partition, clock.instant(), from, report));
        report.divergences().forEach(d -> fire(new FailoverEvent.Diverged(partition, clock.instant(), d)));
    }

    private void fencingIncomplete(FencingIncompleteException e, SiteId from) {
        incomplete.put(e.partition(), new Incomplete(e.epoch(), from));
        tell(e.partition(), e.epoch(), "fencing", new FailoverEvent.FencingIncomplete(e.partition(), clock.instant(),
                e.epoch(), e.getMessage()));
    }

    private void probeReturning() {
        for (Returning r : returning.values()) {
            if (closed) {
                return;
            }
            Optional<Authority> now = watcher.authority(r.partition());
            if (now.isEmpty() || now.get().epoch() != r.epoch()) {
                returning.remove(r.database().name());
                continue;
            }
            Optional<Divergence> divergence;
            try {
                divergence = Divergence.check(r.partition(), r.database(), r.start());
            } catch (SQLException e) {
                continue;
            }
            String fence;
            try (Connection connection = r.database().source().open()) {
                fence = Wal.inRecovery(connection) ? "in recovery: its fence follows its primary's"
                        : "retired (epoch " + Fence.retire(connection, r.fenceWait()) + ")";
            } catch (SQLException e) {
                fence = "not retired: " + e.getMessage();
            }
            returning.remove(r.database().name());
            divergence.ifPresent(d -> fire(new FailoverEvent.Diverged(r.partition(), clock.instant(), d)));
            fire(new FailoverEvent.OldPrimaryReturned(r.partition(), clock.instant(), r.database().name(),
                    divergence.isPresent(), fence));
        }
    }

    /** Tells {@code event} unless the same kind was told for the same authority already. */
    private void tell(Authority current, String kind, FailoverEvent event) {
        tell(current.partition(), current.epoch(), kind, event);
    }

    private void tell(PartitionId partition, long epoch, String kind, FailoverEvent event) {
        String key = epoch + "/" + kind;
        if (!key.equals(told.put(partition, key))) {
            fire(event);
        }
    }

    private void fire(FailoverEvent event) {
        LOG.info("failover event at {}: {}", local, event);
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("failover listener failed on {}", event, e);
        }
    }

    /** Stops both threads and deletes this coordinator's presence node. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        decider.shutdownNow();
        returns.shutdownNow();
        try {
            if (!decider.awaitTermination(10, TimeUnit.SECONDS) || !returns.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("failover coordinator at {} did not stop within 10 s", local);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        presence.release();
    }
}
