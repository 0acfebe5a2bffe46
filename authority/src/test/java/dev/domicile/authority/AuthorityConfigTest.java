package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;

/** Configuration is validated when built, and every refusal names the key, the value and the rule. */
class AuthorityConfigTest {

    private static AuthorityConfigBuilder valid() {
        return AuthorityConfig.builder().localSite("eu-west").sites("eu-west", "us-east");
    }

    @Test
    void defaultsAreDocumentedAndNeverWorldWritable() {
        AuthorityConfig config = valid().build();
        assertThat(config.rootPath()).isEqualTo("/domicile/authority");
        assertThat(config.sessionTimeout()).isEqualTo(AuthorityConfig.DEFAULT_SESSION_TIMEOUT);
        assertThat(config.safetyMargin()).isEqualTo(AuthorityConfig.DEFAULT_SAFETY_MARGIN);
        assertThat(config.aclProvider().getDefaultAcl())
                .noneMatch(acl -> acl.getId().equals(new Id("world", "anyone")) && acl.getPerms() != 1);
        assertThat(config.mayTakeOver(PartitionId.of("eu-west"), SiteId.of("us-east"))).isTrue();
    }

    @Test
    void failoverOrderNamingAnUnknownSiteIsRefused() {
        assertThatThrownBy(() -> valid().failoverOrder("eu-west", "us-east", "ap-south").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failoverOrder.eu-west")
                .hasMessageContaining("ap-south")
                .hasMessageContaining("only known sites");
    }

    @Test
    void failoverOrderLimitsWhoMayTakeOver() {
        AuthorityConfig config = AuthorityConfig.builder().localSite("eu-west").sites("eu-west", "us-east", "ap-south")
                .failoverOrder("eu-west", "eu-west", "us-east").build();
        assertThat(config.mayTakeOver(PartitionId.of("eu-west"), SiteId.of("us-east"))).isTrue();
        assertThat(config.mayTakeOver(PartitionId.of("eu-west"), SiteId.of("ap-south"))).isFalse();
    }

    @Test
    void worldWritableAclIsRefused() {
        ACLProvider open = new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return List.of(new ACL(31, new Id("world", "anyone")));
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return getDefaultAcl();
            }
        };
        assertThatThrownBy(() -> valid().aclProvider(open).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'acl'")
                .hasMessageContaining("never world-writable");
    }

    @Test
    void badValuesNameKeyValueAndRule() {
        assertThatThrownBy(() -> valid().rootPath("domicile/").build())
                .hasMessageContaining("'rootPath' = domicile/").hasMessageContaining("absolute znode path");
        assertThatThrownBy(() -> AuthorityConfig.builder().localSite("ap-south").sites("eu-west").build())
                .hasMessageContaining("'localSite' = ap-south").hasMessageContaining("known sites");
        assertThatThrownBy(() -> valid().connectionTimeout(Duration.ofSeconds(6)).sessionTimeout(Duration.ofSeconds(5))
                .build()).hasMessageContaining("'connectionTimeout' = PT6S").hasMessageContaining("shorter than");
        assertThatThrownBy(() -> valid().safetyMargin(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("'safetyMargin'");
        assertThatThrownBy(() -> valid().routerId("a/b").build()).hasMessageContaining("'routerId' = a/b");
        assertThatThrownBy(() -> valid().sessionTimeout(Duration.ofSeconds(6)).contactTimeout(Duration.ofSeconds(4))
                .build()).hasMessageContaining("'contactTimeout' = PT4S").hasMessageContaining("at most half");
        assertThat(valid().sessionTimeout(Duration.ofSeconds(6)).build().contactTimeout())
                .isEqualTo(Duration.ofSeconds(2));
    }
}
