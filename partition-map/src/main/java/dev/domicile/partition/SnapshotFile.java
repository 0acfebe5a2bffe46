package dev.domicile.partition;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A compiled map on local disk: the map document as JSON, then every shard's table as raw arrays, so a restart
 * without ZooKeeper loads a million assignments without re-hashing any key. Written to a sibling and renamed.
 */
final class SnapshotFile {

    private static final int MAGIC = 0x444d504d;
    private static final int FORMAT = 1;

    private SnapshotFile() {
    }

    static void write(Path file, PartitionMap map) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp),
                1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            byte[] header = MapJson.bytes(MapJson.write(map.header()));
            out.writeInt(header.length);
            out.write(header);
            Assignments assignments = map.assignments();
            out.writeInt(assignments.shardCount());
            for (int i = 0; i < assignments.shardCount(); i++) {
                assignments.shard(i).writeTo(out);
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** @throws IOException if the file cannot be read or is not a snapshot of this format */
    static PartitionMap read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a partition map snapshot of format " + FORMAT);
            }
            byte[] header = in.readNBytes(in.readInt());
            PartitionMapDefinition definition = MapJson.read(MapJson.tree(header, file.toString()), file.toString());
            int shardCount = in.readInt();
            Assignments.checkShardCount(shardCount);
            AssignmentShard[] shards = new AssignmentShard[shardCount];
            for (int i = 0; i < shardCount; i++) {
                shards[i] = AssignmentShard.readFrom(in, definition.partitions().size());
                Assignments.packIfGroupEnds(shards, i);
            }
            return new PartitionMap(definition, Assignments.of(shards), HashSlots.of(definition.partitions()));
        } catch (InvalidPartitionMapException e) {
            throw new IOException(file + " holds an invalid map: " + e.getMessage(), e);
        }
    }
}
