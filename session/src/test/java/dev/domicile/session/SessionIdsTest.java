package dev.domicile.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.MutableClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsTest {

    private final MutableClock clock = MutableClock.ofNow();
    private final SessionIds ids = new SessionIds(SessionKeyRing.of(Fixtures.SECRET), Set.of("eu-west", "us-east"),
            clock);

    @Test
    void issuedIdsVerifyAndNameTheirSite() {
        SessionId id = ids.issue("us-east");
        IdVerification verification = ids.verify(id.value());
        assertThat(verification).isEqualTo(new IdVerification.Valid(id));
        assertThat(((IdVerification.Valid) verification).id().site()).isEqualTo("us-east");
        assertThat(id.toString()).doesNotContain(id.value());
    }

    @Test
    void idsOfUsersCarryTheirSlotTag() {
        SessionId id = ids.issueFor("eu-west", "user-42");
        assertThat(id.value()).startsWith("s1.eu-west." + SessionIds.tagFor("user-42") + ".");
        assertThat(id.redisKey()).startsWith("dom:s:{" + SessionIds.tagFor("user-42") + "}:");
        assertThat(id.markerPrefix()).isEqualTo("dom:r:{" + SessionIds.tagFor("user-42") + "}:");
        assertThat(ids.verify(id.value())).isInstanceOf(IdVerification.Valid.class);
    }

    @Test
    void everyIdIsNew() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ids.issue("eu-west").value())).isTrue();
        }
    }

    @Test
    void everySingleCharacterChangeIsRefused() {
        String id = ids.issueFor("eu-west", "user-1").value();
        for (int i = 0; i < id.length(); i++) {
            for (char replacement : new char[] {'A', 'z', '0', '-', '_', '.'}) {
                if (id.charAt(i) == replacement) {
                    continue;
                }
                String tampered = id.substring(0, i) + replacement + id.substring(i + 1);
                assertThat(ids.verify(tampered)).as(tampered).isInstanceOf(IdVerification.Rejected.class);
            }
        }
    }

    @Test
    void malformedTruncatedAndOverlongIdsAreMalformed() {
        String id = ids.issue("eu-west").value();
        for (String bad : new String[] {null, "", "s1.", "garbage", id.substring(0, id.length() - 1), id + "A",
                id + "." + "A".repeat(22), "s1.eu-west..." + "A".repeat(22) + "." + "A".repeat(22),
                "x".repeat(10_000), id.replace("s1.", "s2."), id.replace('.', ':')}) {
            assertThat(ids.verify(bad)).as(bad).isEqualTo(new IdVerification.Rejected(IdRejection.MALFORMED));
        }
    }

    @Test
    void foreignSitesAndForeignSecretsAreRefused() {
        SessionIds foreign = new SessionIds(SessionKeyRing.of(Fixtures.NEXT_SECRET), Set.of("eu-west", "mars"),
                clock);
        assertThat(ids.verify(foreign.issue("mars").value()))
                .isEqualTo(new IdVerification.Rejected(IdRejection.UNKNOWN_SITE));
        assertThat(ids.verify(foreign.issue("eu-west").value()))
                .isEqualTo(new IdVerification.Rejected(IdRejection.BAD_SIGNATURE));
    }

    @Test
    void thePreviousKeyVerifiesOnlyDuringItsGracePeriod() {
        String old = ids.issue("eu-west").value();
        SessionIds rotated = new SessionIds(ids.keys().rotate(Fixtures.NEXT_SECRET,
                clock.instant().plus(Duration.ofMinutes(10))), Set.of("eu-west", "us-east"), clock);

        assertThat(rotated.verify(old)).isInstanceOf(IdVerification.Valid.class);
        assertThat(ids.verify(rotated.issue("eu-west").value()))
                .isEqualTo(new IdVerification.Rejected(IdRejection.BAD_SIGNATURE));
        clock.advance(Duration.ofMinutes(10));
        assertThat(rotated.verify(old)).isEqualTo(new IdVerification.Rejected(IdRejection.BAD_SIGNATURE));
        assertThat(rotated.verify(rotated.issue("eu-west").value())).isInstanceOf(IdVerification.Valid.class);
    }

    @Test
    void shortSecretsAndReusedSecretsAreRefused() {
        assertThatThrownBy(() -> SessionKeyRing.of(new byte[16]))
                .hasMessageContaining("16 bytes").hasMessageContaining("at least 32");
        assertThatThrownBy(() -> SessionKeyRing.of(Fixtures.SECRET).rotate(Fixtures.SECRET.clone(),
                clock.instant())).hasMessageContaining("equals the current one");
    }

    @Test
    void issuingForAnUnknownSiteFails() {
        assertThatThrownBy(() -> ids.issue("mars")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mars");
    }
}
