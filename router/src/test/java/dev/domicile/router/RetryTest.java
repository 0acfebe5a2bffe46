package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry policy's configuration and what it recognises as a serialization failure. */
class RetryTest {

    @Test
    void recognisesTheStateAnywhereInTheCauseOrNextExceptionChain() {
        SQLException batch = new SQLException("batch failed", "XX000");
        batch.setNextException(new SQLException("could not serialize access", "40001"));

        assertThat(Retry.isSerializationFailure(new SQLException("x", "40001"))).isTrue();
        assertThat(Retry.isSerializationFailure(new RuntimeException(new SQLException("x", "40001")))).isTrue();
        assertThat(Retry.isSerializationFailure(batch)).isTrue();
        assertThat(Retry.isSerializationFailure(new SQLException("result unknown", "40003"))).isFalse();
        assertThat(Retry.isSerializationFailure(new SQLException("deadlock", "40P01"))).isFalse();
        assertThat(Retry.isSerializationFailure(new IllegalStateException("no SQL"))).isFalse();
    }

    @Test
    void rejectsBadBounds() {
        assertThatThrownBy(() -> Retry.serializationFailures(-1)).hasMessageContaining("maxRetries")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> Retry.serializationFailures(101)).hasMessageContaining("0..100");
        assertThatThrownBy(() -> Retry.serializationFailures(1).backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("initialBackoff <= maxBackoff");
    }

    @Test
    void zeroRetriesRunsOnce() {
        int[] attempts = {0};
        assertThatThrownBy(() -> Retry.serializationFailures(0).call(() -> {
            attempts[0]++;
            throw new SQLException("conflict", "40001");
        })).isInstanceOf(SQLException.class);
        assertThat(attempts[0]).isEqualTo(1);
    }
}
