package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.sqlite.SqliteEventStore;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of a 1,000,000-event log by the jar in a child JVM whose heap (32 MB) is far smaller than what it prints
 * (over 200 MB of JSON): they finish only if the reads stream.
 */
class CliMemoryIT {
    static final int EVENTS = 1_000_000;
    static final int BIG_STREAM = 500_000;
    static final List<String> SMALL_HEAP = List.of("-Xmx32m");

    @TempDir
    static Path dir;
    static String store;

    @BeforeAll
    static void writeMillionEvents() {
        Path file = dir.resolve("million.db");
        store = "sqlite:" + file;
        String payload = "{\"customer\":\"alice\",\"sku\":\"book-0001\",\"quantity\":2,\"note\":\"" + "x".repeat(80) + "\"}";
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            StreamId big = StreamId.of("Big", "one");
            for (int batch = 0; batch < EVENTS / 1000; batch++) {
                List<EventData> data = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    data.add(EventData.of("ItemAdded", payload));
                }
                StreamId stream = batch * 1000 < BIG_STREAM ? big : StreamId.of("Order", "o-" + batch);
                events.append(stream, ExpectedVersion.any(), data);
            }
        }
        assertThat(Files.exists(file)).isTrue();
    }

    /** Runs the jar with a 32 MB heap and counts the lines it prints, keeping none. */
    static long lines(String... args) throws Exception {
        Process process = Cli.start(SMALL_HEAP, args);
        process.getOutputStream().close();
        long count = 0;
        try (BufferedReader out = Cli.output(process)) {
            while (out.readLine() != null) {
                count++;
            }
        }
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).as(err).isZero();
        return count;
    }

    @Test
    void logReadStreamsTheWholeLog() throws Exception {
        assertThat(lines("log", "read", "--json", "--store", store)).isEqualTo(EVENTS);
    }

    @Test
    void streamReadStreamsALongStreamBothWays() throws Exception {
        assertThat(lines("stream", "read", "Big-one", "--store", store)).isEqualTo(BIG_STREAM + 2); // header and rule
        assertThat(lines("stream", "read", "Big-one", "--backwards", "--json", "--store", store)).isEqualTo(BIG_STREAM);
    }

    @Test
    void scansOfTheLogKeepMemoryFlat() throws Exception {
        assertThat(lines("log", "tail", "--last", "3", "--json", "--store", store)).isEqualTo(3);
        assertThat(lines("streams", "list", "--limit", "1000", "--json", "--store", store)).isEqualTo(1 + (EVENTS - BIG_STREAM) / 1000);
    }
}
