package dev.domicile.testkit;

import java.util.Objects;

/**
 * The Redis server of one site.
 *
 * @param site the site it serves
 * @param host the address it listens on (a loopback address)
 * @param port the port it listens on
 */
public record RedisNode(String site, String host, int port) {

    public RedisNode {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(host, "host");
    }

    /** A Redisson-style address, {@code redis://host:port}. */
    public String uri() {
        return "redis://" + host + ":" + port;
    }
}
