package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.sqlite.SqliteEventStore;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of a 1,000,000-event log by the jar's classes in one child JVM whose heap (32 MB) is far smaller than
 * what the reads print (over 200 MB of JSON): they finish only if the reads stream. The commands run one after
 * another in that JVM, so none may keep what an earlier one read either.
 */
class CliMemoryIT {
    static final int EVENTS = 1_000_000;
    static final int BIG_STREAM = 500_000;
    static final int BATCH = 10_000;
    static final int ORDER_EVENTS = 1000;
    static final List<String> SMALL_HEAP = List.of("-Xmx32m");

    @TempDir
    static Path dir;
    static String store;

    /** One transaction of large batch appends: the store's own append path, without a commit per batch. */
    @BeforeAll
    static void writeMillionEvents() {
        Path file = dir.resolve("million.db");
        store = "sqlite:" + file;
        String payload = "{\"customer\":\"alice\",\"sku\":\"book-0001\",\"quantity\":2,\"note\":\"" + "x".repeat(80) + "\"}";
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            events.inTransaction(tx -> {
                EventStore bound = events.boundTo(tx);
                StreamId big = StreamId.of("Big", "one");
                for (int written = 0; written < BIG_STREAM; written += BATCH) {
                    bound.append(big, ExpectedVersion.any(), events(payload, BATCH));
                }
                for (int n = 0; n < (EVENTS - BIG_STREAM) / ORDER_EVENTS; n++) {
                    bound.append(StreamId.of("Order", "o-" + n), ExpectedVersion.noStream(), events(payload, ORDER_EVENTS));
                }
            });
            assertThat(events.headPosition()).isGreaterThanOrEqualTo(EVENTS);
        }
    }

    /** {@code count} new events (each with its own id). */
    static List<EventData> events(String payload, int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(EventData.of("ItemAdded", payload));
        }
        return events;
    }

    @Test
    void readsAndScansOfTheLogKeepMemoryFlat() throws Exception {
        List<List<String>> commands = List.of(
                List.of("log", "read", "--json", "--store", store),
                List.of("stream", "read", "Big-one", "--store", store),
                List.of("stream", "read", "Big-one", "--backwards", "--json", "--store", store),
                List.of("log", "tail", "--last", "3", "--json", "--store", store),
                List.of("streams", "list", "--limit", "1000", "--json", "--store", store));
        assertThat(lineCounts(commands)).containsExactly(
                (long) EVENTS,
                BIG_STREAM + 2L, // header and rule
                (long) BIG_STREAM,
                3L,
                1L + (EVENTS - BIG_STREAM) / ORDER_EVENTS);
    }

    /** Runs the commands in one JVM with a 32 MB heap and counts the lines each prints, keeping none. */
    static List<Long> lineCounts(List<List<String>> commands) throws Exception {
        Process process = Cli.startSeveral(SMALL_HEAP, commands);
        process.getOutputStream().close();
        List<Long> counts = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        long count = 0;
        try (BufferedReader out = Cli.output(process)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(CliRuns.MARKER + " ")) {
                    counts.add(count);
                    codes.add(line.substring(CliRuns.MARKER.length() + 1));
                    count = 0;
                } else {
                    count++;
                }
            }
        }
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).as(err).isZero();
        assertThat(codes).as(err).containsOnly("0").hasSize(commands.size());
        return counts;
    }
}
