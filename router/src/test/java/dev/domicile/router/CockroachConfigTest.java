package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.PartitionMapDefinition;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CockroachDB dialect's configuration and its partition-to-region mapping: validated when built. */
class CockroachConfigTest {

    private static final SiteId EU = SiteId.of("eu-west");
    private static final SiteId US = SiteId.of("us-east");
    private static final String URL = "jdbc:postgresql://127.0.0.1:26257/app";

    private static RouterConfig.Builder cockroach() {
        return RouterConfig.builder().localSite(US).dialect(Dialect.COCKROACHDB)
                .endpoint(EndpointConfig.gateway("gw-eu", EU, URL, "root", null))
                .endpoint(EndpointConfig.gateway("gw-us", US, URL, "root", null));
    }

    private static PartitionMap map() {
        return PartitionMap.of(new PartitionMapDefinition(7, List.of(EU, US),
                List.of(Partition.of("eu-1", "eu-west"), Partition.of("eu-2", "eu-west"),
                        Partition.of("us-1", "us-east")), List.of(), Map.of("alice", PartitionId.of("eu-2"))));
    }

    @Test
    void aGatewayServesEveryPartitionAndTakesNone() {
        EndpointConfig gateway = EndpointConfig.gateway("gw-eu", EU, URL, "root", null);
        assertThat(gateway.role()).isEqualTo(Role.GATEWAY);
        assertThat(gateway.partition()).isNull();
        assertThat(gateway).hasToString("EndpointConfig[gw-eu GATEWAY in eu-west " + URL + "]");
        assertThat(Pools.poolName(gateway)).isEqualTo("domicile-eu-west-gateway-gw-eu");
        assertThatThrownBy(() -> new EndpointConfig("gw", PartitionId.of("eu-1"), EU, Role.GATEWAY, URL, null, null))
                .hasMessageContaining("takes none").hasMessageContaining("eu-1");
        assertThatThrownBy(() -> new EndpointConfig("p", null, EU, Role.PRIMARY, URL, null, null))
                .hasMessageContaining("partition is required for a PRIMARY");
    }

    @Test
    void theDialectsDoNotMixTheirEndpoints() {
        assertThat(cockroach().build().dialect()).isEqualTo(Dialect.COCKROACHDB);
        assertThat(RouterConfig.builder().localSite(EU)
                .endpoint(new EndpointConfig("p", PartitionId.of("eu-1"), EU, Role.PRIMARY, URL, null, null))
                .build().dialect()).isEqualTo(Dialect.POSTGRESQL);

        assertThatThrownBy(() -> cockroach()
                .endpoint(new EndpointConfig("p", PartitionId.of("eu-1"), EU, Role.PRIMARY, URL, null, null)).build())
                .hasMessageContaining("endpoint p").hasMessageContaining("gateways only");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(EU)
                .endpoint(EndpointConfig.gateway("gw", EU, URL, null, null)).build())
                .hasMessageContaining("endpoint gw: role GATEWAY needs dialect COCKROACHDB");
        assertThatThrownBy(() -> RouterConfig.builder().localSite(EU).region(EU, "europe-west1")
                .endpoint(new EndpointConfig("p", PartitionId.of("eu-1"), EU, Role.PRIMARY, URL, null, null)).build())
                .hasMessageContaining("COCKROACHDB only");
    }

    @Test
    void badCockroachSettingsAreNamed() {
        assertThatThrownBy(() -> cockroach().endpoint(EndpointConfig.gateway("gw-eu", US, URL, null, null)).build())
                .hasMessageContaining("duplicate endpoint name 'gw-eu'");
        assertThatThrownBy(() -> cockroach().region(EU, "eu west").build())
                .hasMessageContaining("region of site eu-west 'eu west' is invalid");
        assertThatThrownBy(() -> cockroach().degradedReads(Duration.ofSeconds(5)).build())
                .hasMessageContaining("degradedReads PT5S").hasMessageContaining("POSTGRESQL only");
    }

    @Test
    void aPartitionsRegionIsItsHomeSitesRegion() {
        CockroachRegions regions = CockroachRegions.of(cockroach().region(EU, "europe-west1").build());
        PartitionMap map = map();

        assertThat(regions.regionOf(EU)).isEqualTo("europe-west1");
        assertThat(regions.regionOf(US)).isEqualTo("us-east");              // named like its site by default
        assertThat(regions.regionOf(PartitionId.of("eu-1"), map)).isEqualTo("europe-west1");
        assertThat(regions.regionOf(PartitionId.of("us-1"), map)).isEqualTo("us-east");
        assertThat(regions.regionOf(map.homeOf("alice"))).isEqualTo("europe-west1");
        assertThat(regions.regionsOf(map)).containsExactly("europe-west1", "us-east");
        assertThatThrownBy(() -> regions.regionOf(PartitionId.of("ap-1"), map)).hasMessageContaining("ap-1");
    }

    @Test
    void regionsNeedTheCockroachDialect() {
        RouterConfig postgres = RouterConfig.builder().localSite(EU)
                .endpoint(new EndpointConfig("p", PartitionId.of("eu-1"), EU, Role.PRIMARY, URL, null, null)).build();
        assertThatThrownBy(() -> CockroachRegions.of(postgres)).hasMessageContaining("need dialect COCKROACHDB");
    }
}
