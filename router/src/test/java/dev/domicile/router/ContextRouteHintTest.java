package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A routing context remembers the endpoints of its partition for the data source that routed it last; another data
 * source (another configuration) never uses them. Endpoints here refuse connections (port 1), so each route ends in
 * an error that says which endpoints it used, without a server.
 */
class ContextRouteHintTest {

    private static final SiteId EU = SiteId.of("eu-west");
    private static final SiteId US = SiteId.of("us-east");
    private static final String NOWHERE = "jdbc:postgresql://127.0.0.1:1/app";

    private static RouterConfig config(String partition, SiteId site) {
        return RouterConfig.builder().localSite(EU).probeInterval(Duration.ofSeconds(5))
                .probeTimeout(Duration.ofSeconds(1))
                .endpoint(new EndpointConfig(partition + "-primary", PartitionId.of(partition), site, Role.PRIMARY,
                        NOWHERE, null, null))
                .build();
    }

    private static PartitionMap map() {
        return PartitionMap.of(new PartitionMapDefinition(3, List.of(EU, US),
                List.of(Partition.of("eu-west", "eu-west"), Partition.of("us-east", "us-east")), List.of(),
                Map.of("alice", PartitionId.of("eu-west"))));
    }

    @Test
    void aContextRoutedByOneDataSourceIsRoutedByAnotherWithItsOwnEndpoints() {
        PartitionMap map = map();
        try (RoutingDataSource withEu = RoutingDataSource.create(config("eu-west", EU), () -> map);
             RoutingDataSource withoutEu = RoutingDataSource.create(config("us-east", US), () -> map)) {
            RoutingContext alice = withEu.router().forUser("alice").intent(Intent.WRITE).context();
            Routing.run(alice, () -> {
                for (int round = 0; round < 2; round++) {
                    assertThatThrownBy(() -> firstStatement(withEu)).isInstanceOf(HomeUnavailableException.class)
                            .hasMessageContaining("the primary of eu-west");
                    assertThat(alice.routeHint).as("remembered by the first data source").isNotNull();
                    assertThatThrownBy(() -> firstStatement(withoutEu)).isInstanceOf(SQLException.class)
                            .hasMessageContaining("partition eu-west (map version 3) has no endpoints configured");
                }
            });
        }
    }

    private static void firstStatement(RoutingDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().close();
        }
    }
}
