package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A writer process killed with SIGKILL in the middle of an append, between claiming its event ids and
 * publishing, or between publishing and confirming its claims; then, once JetStream has forgotten the
 * message id, the same event ids are appended elsewhere (refused as duplicates) and the same append is
 * retried (stored exactly once).
 */
class NatsInterruptedAppendTest extends NatsStoreFixture {
    private static final Duration WINDOW = Duration.ofMillis(100);

    private final List<UUID> ids = IntStream.range(0, 3).mapToObj(i -> UUID.randomUUID()).toList();

    @Test
    void aWriterKilledAfterPublishingLeavesItsIdsTaken() throws Exception {
        try (NatsEventStore shortWindow = newStore(b -> b.duplicateWindow(WINDOW))) {
            StreamId stream = StreamId.of("Order", "killed-after");
            killWriterAt("published", shortWindow.streamName(), stream);
            assertThat(shortWindow.read(stream)).extracting(RecordedEvent::eventId).containsExactlyElementsOf(ids);
            Thread.sleep(1500); // let JetStream forget the message id, so only the claims remain

            assertThatThrownBy(() -> shortWindow.append(StreamId.of("Order", "elsewhere"), ExpectedVersion.any(),
                    events(ids.subList(1, 3))))
                    .isInstanceOf(DuplicateEventException.class)
                    .hasMessageContaining("in stream '" + stream + "' at version 2");
            AppendResult retried = shortWindow.append(stream, ExpectedVersion.noStream(), events(ids));
            assertThat(retried.retried()).isTrue();
            assertThat(retried.lastVersion()).isEqualTo(3);
            assertThat(shortWindow.read(stream)).hasSize(3);
            assertThat(shortWindow.streamVersion(StreamId.of("Order", "elsewhere"))).isZero();
        }
    }

    @Test
    void aWriterKilledBeforePublishingKeepsItsIdsForItsRetry() throws Exception {
        try (NatsEventStore shortWindow = newStore(b -> b.duplicateWindow(WINDOW))) {
            StreamId stream = StreamId.of("Order", "killed-before");
            killWriterAt("before-publish", shortWindow.streamName(), stream);
            assertThat(shortWindow.read(stream)).isEmpty();

            assertThatThrownBy(() -> shortWindow.append(StreamId.of("Order", "elsewhere"), ExpectedVersion.any(),
                    events(List.of(UUID.randomUUID(), ids.get(2)))))
                    .isInstanceOf(DuplicateEventException.class)
                    .hasMessageContaining("claimed");
            AppendResult completed = shortWindow.append(stream, ExpectedVersion.noStream(), events(ids));
            assertThat(completed.retried()).isFalse();
            assertThat(shortWindow.read(stream)).extracting(RecordedEvent::eventId).containsExactlyElementsOf(ids);
            assertThat(shortWindow.append(stream, ExpectedVersion.noStream(), events(ids)).retried()).isTrue();
            assertThatThrownBy(() -> shortWindow.append(StreamId.of("Order", "elsewhere"), ExpectedVersion.any(),
                    events(ids))).isInstanceOf(DuplicateEventException.class);
        }
    }

    private static List<EventData> events(List<UUID> eventIds) {
        List<EventData> events = new ArrayList<>();
        for (UUID id : eventIds) {
            events.add(new EventData(id, "Interrupted", 1, "{}", Metadata.empty()));
        }
        return events;
    }

    /** Runs {@link InterruptedAppender} until it reports the point, then kills it with SIGKILL. */
    private void killWriterAt(String point, String jetStream, StreamId stream) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                InterruptedAppender.class.getName(),
                NatsTestServer.URL, jetStream, Long.toString(WINDOW.toMillis()), point, stream.category(), stream.id()));
        ids.forEach(id -> command.add(id.toString()));
        Process writer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("REACHED"));
            assertThat(line).as("the writer reached '%s' (exit %s)", point, writer.isAlive() ? "-" : writer.exitValue())
                    .isEqualTo("REACHED");
        } finally {
            writer.destroyForcibly().waitFor();
        }
    }
}
