package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A borrow that repeats a decision reuses the endpoint's remembered record (so the steady state allocates none), and
 * only an equal one; the counters see every decision, reused or not.
 */
class DecisionReuseTest {

    private static final PartitionId EU = PartitionId.of("eu-west");
    private static final EndpointConfig REPLICA = new EndpointConfig("eu-west-replica-us", EU, SiteId.of("us-east"),
            Role.REPLICA, "jdbc:postgresql://127.0.0.1:1/app", null, null);

    @Test
    void anEqualDecisionIsReusedAndAnyDifferenceMakesANewOne() {
        Target target = new Target(REPLICA, 0, true);
        RoutingDecision first = target.decision(EU, 7, -1, Intent.READ, Consistency.READ_YOUR_WRITES,
                Reason.LOCAL_REPLICA, TokenOutcome.NOT_APPLICABLE);
        assertThat(first).isEqualTo(new RoutingDecision(EU, 7, -1, REPLICA.name(), REPLICA.site(), Intent.READ,
                Consistency.READ_YOUR_WRITES, Reason.LOCAL_REPLICA, Duration.ZERO, TokenOutcome.NOT_APPLICABLE,
                Duration.ZERO));
        assertThat(target.decision(PartitionId.of("eu-west"), 7, -1, Intent.READ,
                new Consistency(Consistency.Level.READ_YOUR_WRITES, Duration.ZERO), Reason.LOCAL_REPLICA,
                TokenOutcome.NOT_APPLICABLE)).isSameAs(first);

        List<RoutingDecision> others = List.of(
                target.decision(EU, 8, -1, Intent.READ, Consistency.READ_YOUR_WRITES, Reason.LOCAL_REPLICA,
                        TokenOutcome.NOT_APPLICABLE),
                target.decision(EU, 7, 3, Intent.READ, Consistency.READ_YOUR_WRITES, Reason.LOCAL_REPLICA,
                        TokenOutcome.NOT_APPLICABLE),
                target.decision(EU, 7, -1, Intent.WRITE, Consistency.READ_YOUR_WRITES, Reason.LOCAL_REPLICA,
                        TokenOutcome.NOT_APPLICABLE),
                target.decision(EU, 7, -1, Intent.READ, Consistency.ANY, Reason.LOCAL_REPLICA,
                        TokenOutcome.NOT_APPLICABLE),
                target.decision(EU, 7, -1, Intent.READ, Consistency.READ_YOUR_WRITES, Reason.HOME_SITE_REPLICA,
                        TokenOutcome.NOT_APPLICABLE),
                target.decision(EU, 7, -1, Intent.READ, Consistency.READ_YOUR_WRITES, Reason.LOCAL_REPLICA,
                        TokenOutcome.MET),
                target.decision(PartitionId.of("us-east"), 7, -1, Intent.READ, Consistency.READ_YOUR_WRITES,
                        Reason.LOCAL_REPLICA, TokenOutcome.NOT_APPLICABLE));
        assertThat(others).allSatisfy(d -> assertThat(d).isNotEqualTo(first));
        assertThat(others.get(0).mapVersion()).isEqualTo(8);
        assertThat(others.get(1).epoch()).isEqualTo(3);
        assertThat(others.get(2).intent()).isEqualTo(Intent.WRITE);
        assertThat(others.get(3).consistency()).isEqualTo(Consistency.ANY);
        assertThat(others.get(4).reason()).isEqualTo(Reason.HOME_SITE_REPLICA);
        assertThat(others.get(5).token()).isEqualTo(TokenOutcome.MET);
        assertThat(others.get(6).partition()).isEqualTo(PartitionId.of("us-east"));
    }

    @Test
    void everyDecisionIsCountedByReasonAndByToken() {
        Decisions decisions = new Decisions();
        Target target = new Target(REPLICA, 0, true);
        RoutingDecision local = target.decision(EU, 1, -1, Intent.READ, Consistency.READ_YOUR_WRITES,
                Reason.LOCAL_REPLICA, TokenOutcome.MET);
        decisions.publish(local);
        decisions.publish(local);
        decisions.publish(target.decision(EU, 1, -1, Intent.READ, Consistency.READ_YOUR_WRITES,
                Reason.PRIMARY_FALLBACK, TokenOutcome.FELL_BACK));
        assertThat(decisions.countsByReason()).containsEntry(Reason.LOCAL_REPLICA, 2L)
                .containsEntry(Reason.PRIMARY_FALLBACK, 1L).containsEntry(Reason.WRITE_TO_PRIMARY, 0L)
                .hasSize(Reason.values().length);
        assertThat(decisions.countsByToken()).containsEntry(TokenOutcome.MET, 2L)
                .containsEntry(TokenOutcome.FELL_BACK, 1L).containsEntry(TokenOutcome.NOT_APPLICABLE, 0L)
                .hasSize(TokenOutcome.values().length);
    }
}
