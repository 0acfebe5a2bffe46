package dev.domicile.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The servers every provider runs the same way: a Redis per site and the ZooKeeper servers. */
final class Services {

    private final Map<String, RedisProcess> redis = new LinkedHashMap<>();
    private final int zooKeeperServers;
    private final Path directory;
    private volatile ZooKeeperServers zooKeeper;

    Services(TopologySpec spec, Path directory) {
        this.zooKeeperServers = spec.zooKeeperServers();
        this.directory = directory;
        if (spec.redis()) {
            for (TopologySpec.Site site : spec.sites()) {
                RedisNode node = new RedisNode(site.name(), ZooKeeperServers.HOST, Ports.free());
                redis.put(site.name(), new RedisProcess(node, directory.resolve("redis-" + site.name())));
            }
        }
    }

    /** Submits the start of every server to {@code pool}; the caller awaits the futures. */
    List<Future<?>> start(ExecutorService pool) {
        List<Callable<Object>> tasks = new java.util.ArrayList<>();
        tasks.add(() -> zooKeeper = ZooKeeperServers.start(zooKeeperServers, directory));
        redis.values().forEach(r -> tasks.add(() -> {
            r.start();
            return r;
        }));
        return tasks.stream().<Future<?>>map(pool::submit).toList();
    }

    ZooKeeperServers zooKeeper() {
        ZooKeeperServers zk = zooKeeper;
        if (zk == null) {
            throw new IllegalStateException("ZooKeeper is not running");
        }
        return zk;
    }

    /** The Redis process of a known site, or an exception saying there is no Redis. */
    RedisProcess redis(String site) {
        RedisProcess process = redis.get(site);
        if (process == null) {
            throw new IllegalStateException("this topology runs without Redis; enable it with redis(true)");
        }
        return process;
    }

    void close(ErrorSink sink) {
        redis.values().forEach(r -> sink.quietly("stop Redis of " + r.node().site(), r::stop));
        ZooKeeperServers zk = zooKeeper;
        if (zk != null) {
            sink.quietly("stop ZooKeeper", () -> {
                try {
                    zk.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Runs a clean-up step, logging instead of throwing, so that one failure does not stop the rest. */
    @FunctionalInterface
    interface ErrorSink {
        void quietly(String what, Runnable action);
    }
}
