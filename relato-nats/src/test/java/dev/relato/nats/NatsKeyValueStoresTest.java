package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import io.nats.client.Connection;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NatsServerCondition.class)
class NatsKeyValueStoresTest {
    private Connection connection;
    private final List<String> buckets = new ArrayList<>();

    @BeforeEach
    void setUp() {
        connection = NatsTestServer.connect();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (connection != null) {
            NatsTestServer.deleteStreams(connection, buckets.stream().map(b -> "KV_" + b).toList());
            connection.close();
        }
    }

    private String bucket(String base) {
        String name = NatsTestServer.uniqueName(base);
        buckets.add(name);
        return name;
    }

    @Test
    void snapshotsKeepTheHighestVersionPerStream() throws Exception {
        try (NatsSnapshotStore store = NatsSnapshotStore.builder().connection(connection).bucket(bucket("snap")).build()) {
            StreamId stream = StreamId.of("Order", "a.b *>/ ü");
            Instant now = Instant.parse("2026-01-02T03:04:05.123456789Z");
            store.save(new Snapshot(stream, 5, 1, "{\"total\":5}", now));
            store.save(new Snapshot(stream, 3, 1, "{\"total\":3}", now));
            assertThat(store.load(stream)).contains(new Snapshot(stream, 5, 1, "{\"total\":5}", now));
            assertThat(store.load(StreamId.of("Order", "a.b *>/ "))).isEmpty();

            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> savers = new ArrayList<>();
            for (int v = 6; v <= 30; v++) {
                long version = v;
                savers.add(pool.submit(() -> store.save(new Snapshot(stream, version, 1, "{}", now))));
            }
            for (Future<?> saver : savers) {
                saver.get();
            }
            pool.shutdown();
            assertThat(store.load(stream)).map(Snapshot::version).contains(30L);

            store.delete(stream);
            assertThat(store.load(stream)).isEmpty();
            store.save(new Snapshot(stream, 2, 1, "{}", now));
            assertThat(store.load(stream)).map(Snapshot::version).contains(2L);
        }
    }

    @Test
    void checkpointsAreSavedLoadedAndDeleted() {
        try (NatsCheckpointStore store = NatsCheckpointStore.builder().connection(connection).bucket(bucket("cp")).build()) {
            assertThat(store.load("orders view")).isZero();
            store.save("orders view", 42);
            store.save("orders.view*", 7);
            assertThat(store.load("orders view")).isEqualTo(42);
            assertThat(store.load("orders.view*")).isEqualTo(7);
            store.delete("orders view");
            assertThat(store.load("orders view")).isZero();
            assertThatThrownBy(() -> store.save("x", -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anExistingBucketWithExpiryIsRefused() throws Exception {
        String name = bucket("ttl");
        connection.keyValueManagement().create(KeyValueConfiguration.builder().name(name)
                .storageType(StorageType.File).ttl(Duration.ofHours(1)).build());
        assertThatThrownBy(() -> NatsCheckpointStore.builder().connection(connection).bucket(name).build())
                .isInstanceOf(NatsConfigurationException.class)
                .hasMessageContaining(name).hasMessageContaining("expire");
    }

    @Test
    void aStoreBuiltFromAUrlOwnsItsConnection() {
        String name = bucket("url");
        NatsCheckpointStore store = NatsCheckpointStore.builder().url(NatsTestServer.URL).bucket(name).build();
        store.save("c", 1);
        store.close();
        assertThatThrownBy(() -> store.load("c")).isInstanceOf(dev.relato.StoreUnavailableException.class);
    }
}
