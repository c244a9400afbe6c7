package dev.relato.projection;

import dev.relato.StreamId;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One of {@code count} disjoint shares of the streams a projection follows: a stream belongs to partition
 * {@code crc32(stream) mod count}, the same in every process and every run. A partitioned projection runs as
 * one {@link ProjectionRunner} per partition, each with its own checkpoint ({@link #checkpointName(String)}),
 * so the partitions of one projection can be spread over several nodes. Events of one stream stay in order;
 * events of different streams may be handled in any order relative to each other. Each partition's runner reads
 * the projection's whole filtered log and handles its own share. Immutable and thread-safe.
 *
 * @param index this partition, 0 to {@code count - 1}
 * @param count how many partitions, 1 to 1024
 */
public record Partition(int index, int count) {
    public static final int MAX_COUNT = 1024;
    private static final Partition WHOLE = new Partition(0, 1);

    public Partition {
        if (count < 1 || count > MAX_COUNT || index < 0 || index >= count) {
            throw new IllegalArgumentException("partition must be 0 to count - 1 of 1 to " + MAX_COUNT + " partitions, got "
                    + index + " of " + count);
        }
    }

    /** The single partition holding every stream. */
    public static Partition whole() {
        return WHOLE;
    }

    /** Whether this is the single partition of an unpartitioned projection. */
    public boolean isWhole() {
        return count == 1;
    }

    /** Whether the stream's events belong to this partition. */
    public boolean owns(StreamId stream) {
        if (count == 1) {
            return true;
        }
        CRC32 crc = new CRC32();
        crc.update(stream.toString().getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % count == index;
    }

    /**
     * The checkpoint (and lease) name of this partition of a projection: the projection's name itself for the
     * whole, {@code name#index/count} otherwise.
     */
    public String checkpointName(String projection) {
        CheckpointStore.validateName(projection);
        return count == 1 ? projection : CheckpointStore.validateName(projection + "#" + index + "/" + count);
    }
}
