package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code domicile.health.*}: what the health indicator counts as a fresh replica.
 *
 * @param maxReplicaLag {@code max-replica-lag}: a replica that is up counts as fresh if it had replayed all the
 *                      primary had written at the primary's last probe, or its last replayed commit is at most this old
 */
@ConfigurationProperties("domicile.health")
record HealthProperties(@Bindable(defaultValue = "10s") Duration maxReplicaLag) {
}
