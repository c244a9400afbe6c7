package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ErrorClassifier.Kind;
import dev.relato.InvalidInputException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.projection.DeadLetter;
import dev.relato.snapshot.Snapshot;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The key-value stores an event store opens beside its events: named after its stream, made once, on its
 * connection and with its settings (storage, error classifier).
 */
class NatsStoreBucketsTest extends NatsStoreFixture {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.123456789Z");

    private static DeadLetter letter(long position, String error) {
        return new DeadLetter("orders", position, UUID.randomUUID(), StreamId.of("Order", "1"), 1, "OrderPlaced", error,
                "trace", 1, AT);
    }

    @Test
    void eachStoreIsABucketNamedAfterTheStreamMadeOnce() {
        assertThat(store.snapshots().bucket()).isEqualTo(streamName + "-snapshots");
        assertThat(store.checkpoints().bucket()).isEqualTo(streamName + "-checkpoints");
        assertThat(store.deadLetters().bucket()).isEqualTo(streamName + "-dead-letters");
        assertThat(store.leases("node-a").bucket()).isEqualTo(streamName + "-leases");
        assertThat(store.snapshots()).isSameAs(store.snapshots());
        assertThat(store.checkpoints()).isSameAs(store.checkpoints());
        assertThat(store.deadLetters()).isSameAs(store.deadLetters());
        assertThat(store.leases("node-a")).isSameAs(store.leases("node-a")).isNotSameAs(store.leases("node-b"));
        assertThatThrownBy(() -> store.leases(" ")).isInstanceOf(InvalidInputException.class);

        store.snapshots().save(new Snapshot(StreamId.of("Order", "1"), 3, 1, "{}", AT));
        store.checkpoints().save("orders", 42);
        try (NatsEventStore other = sameStream()) {
            assertThat(other.snapshots().load(StreamId.of("Order", "1"))).map(Snapshot::version).contains(3L);
            assertThat(other.checkpoints().load("orders")).isEqualTo(42);
        }
    }

    @Test
    void theBucketsTakeTheStoresStorageAndErrorClassifier() throws Exception {
        try (NatsEventStore memory = newStore(b -> b.storage(StorageType.Memory));
             NatsEventStore lenient = newStore(b -> b.errorClassifier((error, verdict) -> Kind.TRANSIENT))) {
            memory.deadLetters().add(letter(1, "in memory"));
            assertThat(connection.keyValueManagement().getStatus(memory.streamName() + "-dead-letters").getStorageType())
                    .isEqualTo(StorageType.Memory);

            store.deadLetters().add(letter(1, "before"));
            lenient.deadLetters().add(letter(1, "before"));
            seal("KV_" + streamName + "-dead-letters");
            seal("KV_" + lenient.streamName() + "-dead-letters");
            assertThatThrownBy(() -> store.deadLetters().add(letter(2, "sealed"))).isInstanceOf(StoreFailureException.class);
            assertThatThrownBy(() -> lenient.deadLetters().add(letter(2, "sealed")))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThat(store.deadLetters().list("orders")).extracting(DeadLetter::error).containsExactly("before");
        }
    }

    @Test
    void deadLettersKeepAnyTextAndRefuseWhatDoesNotFitInAMessage() {
        String odd = "lone \ud800 surrogate, NUL \u0000, ünïcødé, 😀, \"quotes\" and \\ backslashes";
        DeadLetter kept = letter(7, odd);
        store.deadLetters().add(kept);
        assertThat(store.deadLetters().find("orders", 7)).contains(kept);

        String huge = "x".repeat((int) connection.getMaxPayload());
        assertThatThrownBy(() -> store.deadLetters().add(letter(8, huge))).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("error text is too long");
        assertThat(store.deadLetters().list("orders")).containsExactly(kept);
    }

    @Test
    void ofTwoRemovalsOfADeadLetterOneRemovesIt() throws Exception {
        store.deadLetters().add(letter(3, "failed"));
        try (NatsEventStore other = sameStream()) {
            assertThat(other.deadLetters().remove("orders", 3)).isTrue();
            assertThat(store.deadLetters().remove("orders", 3)).isFalse();
        }
        assertThat(store.deadLetters().list("orders")).isEmpty();
    }

    @Test
    void aLeaseHolderThatDiesIsTakenOverOnlyAfterTheLeaseWasSeenUnchangedForItsDuration() throws Exception {
        Duration lease = Duration.ofMillis(400);
        try (NatsEventStore other = sameStream()) {
            assertThat(store.leases("dead").acquire("orders", lease)).isTrue();
            NatsProjectionLeases standby = other.leases("standby");
            long firstTry = System.nanoTime();
            while (!standby.acquire("orders", Duration.ofMinutes(1))) {
                Thread.sleep(10);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - firstTry)).as("waited out the lease it saw").isGreaterThanOrEqualTo(lease);
            assertThat(store.leases("dead").acquire("orders", lease)).isFalse();
            assertThat(store.leases("dead").owner("orders")).contains("standby");
        }
    }

    private void seal(String stream) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        jsm.updateStream(StreamConfiguration.builder(jsm.getStreamInfo(stream).getConfiguration()).seal().build());
    }
}
