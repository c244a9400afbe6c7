package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two operating system processes appending to one file with expected versions. */
class SqliteMultiProcessTest {
    private static final int PER_PROCESS = 1000;

    @TempDir
    Path dir;

    @Test
    void anotherProcessAndThisOneAppendToTheSameStreamWithoutLossOrCorruption() throws Exception {
        Path file = dir.resolve("shared.db");
        try (SqliteEventStore store = SqliteEventStore.open(file)) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AppendingProcess.class.getName(), file.toString(),
                    String.valueOf(PER_PROCESS))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                while (store.streamVersion(AppendingProcess.SHARED) == 0 && child.isAlive()) {
                    Thread.sleep(1); // start once the child appends, so that both write at the same time
                }
                AppendingProcess.appendWithRetry(store, PER_PROCESS, "parent");
                assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child process finished").isTrue();
                assertThat(child.exitValue()).as("child exit code; its output is in %s",
                        dir.resolve("child.log")).isZero();
            } finally {
                child.destroyForcibly();
            }

            List<RecordedEvent> all;
            try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart())) {
                all = log.toList();
            }
            assertThat(all).extracting(RecordedEvent::streamVersion)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * PER_PROCESS).boxed().toList());
            assertThat(all).extracting(RecordedEvent::position)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * PER_PROCESS).boxed().toList());
            assertThat(all).filteredOn(e -> e.payload().contains("child")).hasSize(PER_PROCESS);
        }
    }
}
