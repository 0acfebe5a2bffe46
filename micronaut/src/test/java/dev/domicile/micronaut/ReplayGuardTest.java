package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A nonce is admitted once until its deadline; passed deadlines are forgotten, so memory stays bounded. */
class ReplayGuardTest {

    @Test
    void aNonceIsAdmittedOnceAndForgottenAfterItsDeadline() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ReplayGuard guard = new ReplayGuard(clock);
        long deadline = clock.millis() + 10_000;
        assertThat(guard.firstUse("n1", deadline)).isTrue();
        assertThat(guard.firstUse("n1", deadline)).as("a replay").isFalse();
        assertThat(guard.firstUse("n2", deadline)).isTrue();

        clock.advance(Duration.ofSeconds(11));
        for (int i = 0; i < ReplayGuard.PURGE_EVERY; i++) {
            guard.firstUse("later-" + i, clock.millis() + 10_000);
        }
        assertThat(guard.size()).as("n1 and n2 purged once their deadline passed")
                .isEqualTo(ReplayGuard.PURGE_EVERY);
    }
}
