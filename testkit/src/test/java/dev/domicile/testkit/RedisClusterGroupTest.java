package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Three masters joined by CLUSTER MEET share the slots: each serves its own keys and redirects the others. */
class RedisClusterGroupTest {

    @Test
    void theMastersShareTheSlots() throws Exception {
        try (RedisClusterGroup cluster = RedisClusterGroup.start(3)) {
            List<RedisNode> nodes = cluster.nodes();
            assertThat(nodes).hasSize(3).allSatisfy(n -> assertThat(n.host()).isEqualTo("127.0.0.1"));
            RedisNode first = nodes.getFirst();
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                replies.add(Resp.call(first.host(), first.port(), "SET", "{user-" + i + "}:k", "v"));
            }
            assertThat(replies).contains("OK");
            List<String> ports = nodes.stream().map(n -> Integer.toString(n.port())).toList();
            assertThat(replies.stream().filter(r -> r.startsWith("MOVED")).toList()).isNotEmpty()
                    .allSatisfy(r -> assertThat(ports).contains(r.substring(r.lastIndexOf(':') + 1)));
        }
    }

    @Test
    void aClusterNeedsThreeMasters() {
        assertThatThrownBy(() -> RedisClusterGroup.start(2)).isInstanceOf(IllegalArgumentException.class);
    }
}
