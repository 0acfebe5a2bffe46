package dev.domicile.authority;

import dev.domicile.partition.PartitionId;

/**
 * Told when {@link WriteAdmission} stops or starts admitting writes of a partition. A router uses
 * {@link #onStopped} to abort the write transactions still open on the partition's connections. Every method has a
 * no-op default.
 *
 * <p>Called right after the admission state changed (admission is already refused when {@code onStopped} runs), in
 * order, from the thread that changed it (often Curator's connection-state thread): return quickly and hand slow work
 * to another thread. An exception is logged and ignored.
 */
public interface AdmissionListener {

    /** Writes of {@code partition} are refused from now on; {@code reason} says why. */
    default void onStopped(PartitionId partition, String reason) {
    }

    /** Writes of a partition are admitted again, with {@code admission}'s epoch. */
    default void onResumed(Admission admission) {
    }
}
