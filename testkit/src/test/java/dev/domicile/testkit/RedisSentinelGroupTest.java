package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A master, a replica and three Sentinels on loopback; a Sentinel failover promotes the replica with the data. */
class RedisSentinelGroupTest {

    @Test
    void sentinelFailoverPromotesTheReplicaWithTheData() throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.start("sessions", 1, 3)) {
            RedisNode first = group.master();
            assertThat(first).isEqualTo(group.dataNodes().getFirst());
            assertThat(group.sentinels()).hasSize(3).allSatisfy(s -> assertThat(s.host()).isEqualTo("127.0.0.1"));
            assertThat(Resp.call(first.host(), first.port(), "SET", "written", "before")).isEqualTo("OK");
            assertThat(Resp.call(first.host(), first.port(), "WAIT", "1", "5000")).isEqualTo("1");

            RedisNode second = group.failover();

            assertThat(second).isNotEqualTo(first).isEqualTo(group.master());
            assertThat(Resp.call(second.host(), second.port(), "GET", "written")).isEqualTo("before");
            assertThat(Resp.call(second.host(), second.port(), "SET", "written", "after")).isEqualTo("OK");
            assertThat(Resp.call(first.host(), first.port(), "SET", "x", "y"))
                    .as("the old master is a read-only replica now").startsWith("READONLY");
        }
    }

    @Test
    void aGroupNeedsAReplicaAndTwoSentinels() {
        assertThatThrownBy(() -> RedisSentinelGroup.start("m", 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisSentinelGroup.start("m", 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
