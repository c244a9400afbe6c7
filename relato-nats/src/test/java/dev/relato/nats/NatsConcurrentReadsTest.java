package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Clients that read their own writes from their streams and from the category's log while the others write:
 * each read must be complete and must not wait. Reads through short-lived JetStream consumers failed here:
 * filtered by category, a consumer could report too few pending messages (the read ended early and missed the
 * client's own acknowledged append) or too many (the read waited for the full request timeout).
 */
class NatsConcurrentReadsTest extends NatsStoreFixture {
    @Test
    void clientsReadTheirWritesFromStreamsAndCategoriesWhileOthersWrite() throws Exception {
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                int reads = 0;
                for (int order = 0; order < 12; order++) {
                    StreamId stream = StreamId.of("Order", client + "-" + order);
                    int lines = 4 + (client + order) % 12;
                    for (int line = 1; line <= lines; line++) {
                        long version = store.read(stream, StreamRead.forwards()).size();
                        assertThat(version).isEqualTo(line - 1);
                        AppendResult appended = store.append(stream, ExpectedVersion.exactly(version),
                                List.of(EventData.of("LineAdded", "{\"line\":" + line + "}")));
                        long sequence = StoredBatch.sequenceOf(appended.firstPosition());
                        long after = StoredBatch.position(Math.max(0, sequence - 40), 0);
                        List<RecordedEvent> category = store.readAll(GlobalRead.after(after)
                                .filter(EventFilter.categories("Order"))).toList();
                        assertThat(category).extracting(RecordedEvent::position).contains(appended.firstPosition());
                        reads += 2;
                    }
                    assertThat(store.read(stream, StreamRead.forwards())).extracting(RecordedEvent::streamVersion)
                            .containsExactlyElementsOf(LongStream.rangeClosed(1, lines).boxed().toList());
                }
                return reads;
            }));
        }
        pool.shutdown();
        int reads = 0;
        for (Future<Integer> result : results) {
            reads += result.get();
        }
        assertThat(reads).isPositive();
    }
}
