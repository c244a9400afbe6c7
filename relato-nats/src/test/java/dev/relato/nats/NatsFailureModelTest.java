package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ErrorClassifier.Kind;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RetryPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The NATS stores' failure model against real servers: a refusal that cannot heal fails at once as permanent,
 * an unreachable server is transient, a classifier can change the verdict, a bug propagates as itself, and an
 * append overtaken by other writers retries only as long as its retry policy allows.
 */
class NatsFailureModelTest extends NatsStoreFixture {
    private static List<EventData> one() {
        return List.of(EventData.of("Happened", "{}"));
    }

    private void seal(String stream) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        jsm.updateStream(StreamConfiguration.builder(jsm.getStreamInfo(stream).getConfiguration()).seal().build());
    }

    @Test
    void aSealedStreamFailsAppendsAtOnceAsPermanentUnlessTheClassifierSaysOtherwise() throws Exception {
        store.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(), one());
        seal(streamName);
        assertThatThrownBy(() -> store.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                .isInstanceOf(StoreFailureException.class).hasMessageContaining("10109");
        assertThat(store.read(StreamId.of("Order", "1"))).hasSize(1);

        try (NatsEventStore lenient = newStore(b -> b.errorClassifier((error, verdict) ->
                error instanceof JetStreamApiException api && api.getApiErrorCode() == 10109 ? Kind.TRANSIENT : verdict))) {
            seal(lenient.streamName());
            assertThatThrownBy(() -> lenient.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("retry it with the same event ids");
        }
    }

    @Test
    void aSealedBucketFailsKeyValueStoresAsPermanentUnlessTheClassifierSaysOtherwise() throws Exception {
        String bucket = NatsTestServer.uniqueName("relato-failures");
        try (NatsCheckpointStore checkpoints = NatsCheckpointStore.builder().connection(connection).bucket(bucket).build();
             NatsCheckpointStore lenient = NatsCheckpointStore.builder().connection(connection).bucket(bucket)
                     .errorClassifier((error, verdict) -> Kind.TRANSIENT).build()) {
            checkpoints.save("projection", 1);
            seal("KV_" + bucket);
            assertThatThrownBy(() -> checkpoints.save("projection", 2)).isInstanceOf(StoreFailureException.class);
            assertThatThrownBy(() -> lenient.save("projection", 2)).isInstanceOf(StoreUnavailableException.class);
            assertThat(checkpoints.load("projection")).isEqualTo(1);
        } finally {
            NatsTestServer.deleteStreams(connection, List.of("KV_" + bucket));
        }
    }

    @Test
    void aServerThatIsGoneIsTransient() throws Exception {
        try (OwnNatsServer server = OwnNatsServer.start();
             NatsEventStore remote = NatsEventStore.builder().url(server.url()).streamName("relato-gone")
                     .requestTimeout(Duration.ofMillis(500)).build();
             NatsSnapshotStore snapshots = NatsSnapshotStore.builder().url(server.url())
                     .requestTimeout(Duration.ofMillis(500)).build()) {
            remote.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(), one());
            server.kill();
            assertThatThrownBy(() -> remote.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> remote.read(StreamId.of("Order", "1"))).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> snapshots.load(StreamId.of("Order", "1"))).isInstanceOf(StoreUnavailableException.class);
        }
    }

    @Test
    void aBugPropagatesAsItself() {
        store.probe(new Appender.Probe() {
            @Override
            public void beforePublish(StreamId stream) {
                throw new NullPointerException("a bug");
            }
        });
        assertThatThrownBy(() -> store.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("a bug");
    }

    @Test
    void anAppendOvertakenPastItsRetryPolicyFailsAsUnavailableHavingStoredNothing() throws Exception {
        RetryPolicy threeAttempts = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(10));
        try (NatsEventStore contended = newStore(b -> b.appendRetryPolicy(threeAttempts));
             NatsEventStore rival = NatsEventStore.builder().url(NatsTestServer.URL).streamName(contended.streamName())
                     .duplicateWindow(Duration.ofMinutes(2)).build()) {
            StreamId stream = StreamId.of("Counter", "1");
            AtomicInteger overtaken = new AtomicInteger();
            contended.probe(new Appender.Probe() {
                @Override
                public void beforePublish(StreamId s) {
                    overtaken.incrementAndGet();
                    rival.append(stream, ExpectedVersion.any(), List.of(EventData.of("Rival", "{}")));
                }
            });
            List<EventData> mine = List.of(EventData.of("Mine", "{}"), EventData.of("Mine", "{}"));
            assertThatThrownBy(() -> contended.append(stream, ExpectedVersion.any(), mine))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("overtaken")
                    .hasMessageContaining("nothing was stored");
            assertThat(overtaken.get()).isEqualTo(3);
            assertThatThrownBy(() -> contended.append(stream, ExpectedVersion.exactly(3), mine))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThat(contended.read(stream)).extracting(e -> e.type()).containsOnly("Rival");

            contended.probe(Appender.Probe.NONE);
            assertThat(contended.append(StreamId.of("Counter", "2"), ExpectedVersion.noStream(), mine).retried())
                    .as("the overtaken append withdrew its claims").isFalse();
        }
    }
}
