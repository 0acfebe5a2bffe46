package dev.domicile.micronaut;

import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts the test application on a topology: its configuration is the topology's endpoints, seen from a site. */
final class TestApplication {

    private TestApplication() {
    }

    /** The {@code domicile.*} properties of a service in {@code localSite} over every endpoint of {@code topology}. */
    static Map<String, Object> properties(Topology topology, String localSite) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("endpoints.health.details-visible", "ANONYMOUS");
        properties.put("endpoints.domicile.sensitive", false);
        properties.put("domicile.local-site", localSite);
        properties.put("domicile.router.probe-interval", "100ms");
        properties.put("domicile.router.read-your-writes-wait", "2s");
        for (String site : topology.sites()) {
            properties.put("domicile.sites." + site + ".base-url", "http://" + site + ".example:8080");
            String partition = topology.homePartition(site);
            String prefix = "domicile.partitions." + partition;
            properties.put(prefix + ".home-site", site);
            properties.put(prefix + ".failover", topology.sites().stream().filter(s -> !s.equals(site)).toList());
            properties.put(prefix + ".primary.jdbc-url", topology.primary(partition).jdbcUrl());
            List<Endpoint> replicas = topology.replicas(partition);
            for (int i = 0; i < replicas.size(); i++) {
                properties.put(prefix + ".replicas[" + i + "].site", replicas.get(i).site());
                properties.put(prefix + ".replicas[" + i + "].jdbc-url", replicas.get(i).jdbcUrl());
            }
        }
        return properties;
    }

    /** Starts an embedded server with {@code properties}. */
    static EmbeddedServer start(Map<String, Object> properties) {
        return ApplicationContext.run(EmbeddedServer.class, properties);
    }

    /** Closes each of {@code resources} that is not null, in order, even if an earlier one fails; rethrows the first failure. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Creates the notes table on every primary; it reaches the replicas by streaming replication. */
    static void createSchema(Topology topology) throws SQLException {
        for (String partition : topology.partitions()) {
            try (Connection connection = topology.connect(topology.primary(partition));
                 Statement statement = connection.createStatement()) {
                statement.execute("create table notes (id bigserial primary key, owner text not null, text text)");
            }
        }
    }
}
