package dev.domicile.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;

/**
 * A running multi-site world for tests and the demo: per site a PostgreSQL primary of the site's home partition,
 * streaming replicas (in the same or other sites), a Redis, and one ZooKeeper shared by all sites.
 *
 * <p>Every client link between a site and a server can be routed through a {@link FaultProxy}: ask for the
 * address {@linkplain #jdbcUrl(String, Endpoint) as seen from a site} and control the path with
 * {@link #link(String, Endpoint)}. The direct addresses ({@link Endpoint#jdbcUrl()}, {@link RedisNode#uri()},
 * {@link #zooKeeperConnectString()}) bypass all proxies.
 *
 * <p>Thread-safe. {@link #close()} stops every server and proxy and deletes every data directory; it is idempotent
 * and also runs from a JVM shutdown hook if the owner never calls it.
 *
 * @see EmbeddedTopology#builder()
 */
public interface Topology extends AutoCloseable {

    /** Site names in the order they were declared. */
    List<String> sites();

    /** Partition names, one per site, in site order. */
    List<String> partitions();

    /** The home partition of {@code site}. @throws IllegalArgumentException for an unknown site */
    String homePartition(String site);

    /** Every database endpoint, primaries first, in declaration order. */
    List<Endpoint> endpoints();

    /** The primary of {@code partition}. @throws IllegalArgumentException for an unknown partition */
    Endpoint primary(String partition);

    /** The replicas of {@code partition}, wherever they run; empty if it has none. */
    List<Endpoint> replicas(String partition);

    /** The endpoint named {@code name}. @throws IllegalArgumentException if there is none */
    Endpoint endpoint(String name);

    /** The Redis of {@code site}. @throws IllegalStateException if the topology runs without Redis */
    RedisNode redis(String site);

    /** The ZooKeeper connect string, bypassing every proxy. */
    String zooKeeperConnectString();

    /** A human-readable table of what runs where: sites, endpoints with their roles and URLs, Redis, ZooKeeper. */
    String describe();

    /** Opens a JDBC connection straight to {@code endpoint} (no proxy). The caller closes it. */
    Connection connect(Endpoint endpoint) throws SQLException;

    // ----- links through fault proxies -------------------------------------------------------------------------

    /** The JDBC URL that a client in {@code fromSite} uses to reach {@code endpoint}, through their link's proxy. */
    String jdbcUrl(String fromSite, Endpoint endpoint);

    /** The link from {@code fromSite} to {@code endpoint}; created on first use and kept until close. */
    Link link(String fromSite, Endpoint endpoint);

    /** The ZooKeeper connect string that clients in {@code fromSite} use, through their link's proxies. */
    String zooKeeperConnectString(String fromSite);

    /** The link from {@code fromSite} to every ZooKeeper server. */
    Link zooKeeperLink(String fromSite);

    /** The Redis address ({@code redis://host:port}) of {@code redisSite} as reached from {@code fromSite}. */
    String redisUri(String fromSite, String redisSite);

    /** The link from {@code fromSite} to the Redis of {@code redisSite}. */
    Link redisLink(String fromSite, String redisSite);

    // ----- operations ------------------------------------------------------------------------------------------

    /** The primary's current WAL write position ({@code pg_current_wal_lsn()}). */
    Lsn currentLsn(Endpoint primary);

    /** The last WAL position a replica has replayed ({@code pg_last_wal_replay_lsn()}). */
    Lsn replayLsn(Endpoint replica);

    /** Pauses WAL replay on a replica: it keeps receiving WAL but its data falls behind (real lag). */
    void pauseReplay(Endpoint replica);

    /** Resumes WAL replay on a replica paused by {@link #pauseReplay(Endpoint)}. */
    void resumeReplay(Endpoint replica);

    /** Promotes a replica to a primary and waits until it accepts writes. */
    void promote(Endpoint replica);

    /** Whether the server runs in recovery (a replica that was not promoted). */
    boolean inRecovery(Endpoint endpoint);

    /** Stops a database server cleanly (fast shutdown); its address stays reserved. */
    void stop(Endpoint endpoint);

    /** Kills a database server without a clean shutdown (immediate mode: crash recovery on next start). */
    void kill(Endpoint endpoint);

    /** Starts a stopped or killed database server again on the same address and data directory. */
    void start(Endpoint endpoint);

    /** Stops the Redis of {@code site} (its append-only file keeps the data for {@link #startRedis(String)}). */
    void stopRedis(String site);

    /**
     * Kills the Redis of {@code site} with SIGKILL, as a crash would: no shutdown, no final flush of the append-only
     * file. {@link #startRedis(String)} starts it again and it recovers what it had written to that file (the OS keeps
     * it across a process crash).
     */
    void killRedis(String site);

    /** Starts the Redis of {@code site} again on the same port (after a stop or a kill). */
    void startRedis(String site);

    /** Stops ZooKeeper server {@code index} (0 for a single server). */
    void stopZooKeeper(int index);

    /** Starts ZooKeeper server {@code index} again. */
    void startZooKeeper(int index);

    /**
     * Expires the ZooKeeper session of {@code client} on the server side, as a long partition would. The client
     * sees its connection SUSPENDED and then LOST, and reconnects with a new session.
     */
    void expireZkSession(CuratorFramework client);

    /** Stops everything; never throws, logs what it could not stop. */
    @Override
    void close();
}
