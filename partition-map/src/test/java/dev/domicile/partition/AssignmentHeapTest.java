package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;

/** One million explicit assignments: their heap cost, and exact lookups for every one of them. */
class AssignmentHeapTest {

    private static final int USERS = 1_000_000;

    @Test
    void aMillionAssignmentsFitIn32MegabytesAndResolveExactly() {
        PartitionMapDefinition header = PartitionMapTest.twoSites().withoutAssignments();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        Assignments.Builder builder = new Assignments.Builder(Assignments.DEFAULT_SHARDS);
        for (int i = 0; i < USERS; i++) {
            builder.add("user-" + i, i % 2);
        }
        Assignments assignments = builder.build();
        builder = null;
        long after = usedAfterGc(memory);
        double measuredMb = (after - before) / (1024.0 * 1024.0);
        double arraysMb = assignments.arrayBytes() / (1024.0 * 1024.0);
        System.out.printf("1,000,000 assignments: %.1f MB heap measured (GC + MemoryMXBean), %.1f MB of arrays"
                + " counted%n", measuredMb, arraysMb);
        assertThat(arraysMb).isLessThanOrEqualTo(32.0);
        assertThat(measuredMb).isLessThanOrEqualTo(32.0);

        PartitionMap map = new PartitionMap(header, assignments, HashSlots.of(header.partitions()));
        for (int i = 0; i < USERS; i++) {
            Home home = map.homeOf("user-" + i);
            assertThat(home.source()).isEqualTo(Home.Source.ASSIGNMENT);
            assertThat(home.partitionId().value()).isEqualTo(i % 2 == 0 ? "eu" : "us");
        }
        int found = 0;
        for (int i = 0; i < USERS; i++) {
            if (map.homeOf("other-" + i).source() == Home.Source.ASSIGNMENT) {
                found++;
            }
        }
        assertThat(found).as("unassigned keys found among the assignments").isZero();
        assertThat(map.assignmentCount()).isEqualTo(USERS);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
