package dev.relato.nats;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A process that appends once to a NATS event store and stops dead at a chosen point of the append, so that
 * a test can kill it there with SIGKILL: it prints {@code REACHED} and then waits for ever.
 *
 * <p>Arguments: server URL, JetStream stream, duplicate window in milliseconds, the point ({@code before-publish}
 * or {@code published}), the stream id's category and id, then the event ids.
 */
final class InterruptedAppender {
    private InterruptedAppender() {
    }

    public static void main(String[] args) throws InterruptedException {
        String point = args[3];
        StreamId stream = StreamId.of(args[4], args[5]);
        List<EventData> events = new ArrayList<>();
        for (int i = 6; i < args.length; i++) {
            events.add(new EventData(UUID.fromString(args[i]), "Interrupted", 1, "{\"i\":" + i + "}",
                    dev.relato.Metadata.empty()));
        }
        NatsEventStore store = NatsEventStore.builder().url(args[0]).streamName(args[1])
                .duplicateWindow(Duration.ofMillis(Long.parseLong(args[2]))).build();
        store.probe(new Appender.Probe() {
            @Override
            public void beforePublish(StreamId s) {
                if (point.equals("before-publish")) {
                    halt();
                }
            }

            @Override
            public void published(StreamId s, long sequence) {
                if (point.equals("published")) {
                    halt();
                }
            }
        });
        store.append(stream, ExpectedVersion.any(), events);
        System.out.println("COMPLETED");
    }

    private static void halt() {
        System.out.println("REACHED");
        System.out.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
