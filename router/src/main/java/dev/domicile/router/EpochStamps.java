package dev.domicile.router;

import dev.domicile.authority.Fence;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which epoch each physical connection's session is stamped with, so that a write connection is stamped
 * ({@code SET domicile.epoch}) only when its epoch changes: no extra statement per transaction in steady state.
 * Keyed weakly by the driver's connection (below the pool's proxy), so evicted connections are forgotten.
 */
final class EpochStamps {

    private final Map<Connection, Long> stamped = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Makes sure the session behind {@code pooled} writes with {@code epoch}.
     *
     * @return whether a statement had to be sent
     */
    boolean ensure(Connection pooled, long epoch) throws SQLException {
        Connection physical = pooled.unwrap(Connection.class);
        Long current = stamped.get(physical);
        if (current != null && current == epoch) {
            return false;
        }
        try (Statement statement = pooled.createStatement()) {
            statement.execute(Fence.stampSql(epoch));
        }
        stamped.put(physical, epoch);
        return true;
    }
}
