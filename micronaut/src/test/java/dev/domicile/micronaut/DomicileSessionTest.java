package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adaptations of a Domicile session to Micronaut's {@code Session}, on a session not stored yet. */
class DomicileSessionTest {

    private static final Duration IDLE = Duration.ofMinutes(30);

    private final DomicileSession session = new DomicileSession(IDLE,
            Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC));

    @Test
    void aNewSessionHasNoIdAndNoChangesUntilAttributesArePut() {
        assertThat(session.getId()).isEmpty();
        assertThat(session.isNew()).isTrue();
        assertThat(session.isModified()).isFalse();
        assertThat(session.homeSite()).isEmpty();
        assertThat(session.getCreationTime()).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
        session.put("count", 3);
        assertThat(session.isModified()).isTrue();
    }

    @Test
    void valuesAreStoredAsTextAndConvertedBackOnRead() {
        session.put("count", 3).put("name", "alice").put("level", Duration.class.getSimpleName())
                .put("flag", true).put("mode", ForwardingPolicy.REDIRECT);
        assertThat(session.get("count", Integer.class)).contains(3);
        assertThat(session.get("count", String.class)).contains("3");
        assertThat(session.get("flag", Boolean.class)).contains(true);
        assertThat(session.get("mode", ForwardingPolicy.class)).contains(ForwardingPolicy.REDIRECT);
        assertThat(session.names()).containsExactlyInAnyOrder("count", "name", "level", "flag", "mode");
        session.remove("name").put("count", null);
        assertThat(session.names()).containsExactlyInAnyOrder("level", "flag", "mode");
        session.clear();
        assertThat(session.names()).isEmpty();
    }

    @Test
    void valuesThatAreNotTextAndOtherTimeoutsAreRefused() {
        assertThatThrownBy(() -> session.put("cart", List.of("book")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("session attribute 'cart': a Domicile session stores text, numbers, booleans, "
                        + "characters and enums, not ");
        assertThat(session.names()).isEmpty();
        assertThat(session.setMaxInactiveInterval(IDLE)).isSameAs(session);
        assertThatThrownBy(() -> session.setMaxInactiveInterval(Duration.ofMinutes(5)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("a Domicile session's inactivity timeout is domicile.session.idle-timeout (PT30M) for every "
                        + "session, not PT5M");
    }
}
