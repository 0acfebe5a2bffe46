package dev.domicile.micronaut;

import dev.domicile.partition.PartitionMapStore;
import dev.domicile.testkit.Topology;
import io.micronaut.context.ApplicationContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/** Users for tests against a running application: fresh keys homed at a chosen site, and their notes. */
final class TestUsers {

    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestUsers() {
    }

    /**
     * A user key {@code prefix}{@code n}, not handed out before in this JVM, whose home in the application's
     * partition map is {@code site}.
     */
    static String homedAt(ApplicationContext application, String prefix, String site) {
        PartitionMapStore store = application.getBean(PartitionMapStore.class);
        while (true) {
            String user = prefix + NEXT.incrementAndGet();
            if (store.current().homeOf(user).site().value().equals(site)) {
                return user;
            }
        }
    }

    /** How many rows of {@code notes} the user owns on the primary of the user's home partition. */
    static int notesOf(Topology topology, ApplicationContext application, String user) throws SQLException {
        String partition = application.getBean(PartitionMapStore.class).current().homeOf(user).partitionId().value();
        try (Connection connection = topology.connect(topology.primary(partition));
             PreparedStatement count = connection.prepareStatement("select count(*) from notes where owner = ?")) {
            count.setString(1, user);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
