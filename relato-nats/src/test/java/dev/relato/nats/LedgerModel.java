package dev.relato.nats;

import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read model of the cluster projection test: for each account, the last version handled and the running total
 * of its entries, in a key-value bucket of the cluster. Handling is idempotent and compare-and-set: an event at or
 * below the stored version was handled before (at least once) and is skipped, one right after it is added unless
 * another writer got there first, and one further ahead means an event was missed, which fails the handler.
 */
final class LedgerModel {
    /** The projection's only event: an amount booked to an account. */
    record Entry(String account, int amount) {
    }

    /** What the model holds for one account. */
    record Row(long version, long total) {
    }

    static final String CATEGORY = "Account";
    static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder().register(Entry.class).build());
    static final Projection<LedgerModel> PROJECTION = Projection.<LedgerModel>named("ledger")
            .on(Entry.class, (model, entry, record) -> model.apply(record.streamId().id(), record.streamVersion(),
                    entry.amount()))
            .categories(CATEGORY)
            .build();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final KeyValueBucket bucket;

    LedgerModel(Connection connection, String bucketName) throws IOException {
        this.bucket = new KeyValueBucket(connection.jetStream(JetStreamOptions.builder().requestTimeout(TIMEOUT).build()),
                new MessageRequests(connection, TIMEOUT), bucketName, TIMEOUT);
    }

    /** Creates the model's bucket with three replicas. */
    static void create(Connection connection, String bucketName) throws IOException, JetStreamApiException {
        connection.keyValueManagement().create(KeyValueConfiguration.builder().name(bucketName).maxHistoryPerKey(1)
                .storageType(StorageType.File).replicas(3).build());
    }

    private void apply(String account, long version, long amount) throws Exception {
        while (true) {
            Optional<KeyValueBucket.Entry> entry = bucket.current(account);
            Row row = entry.map(LedgerModel::parse).orElse(new Row(0, 0));
            if (row.version() >= version) {
                return;
            }
            if (row.version() != version - 1) {
                throw new IllegalStateException("account " + account + " is at version " + row.version()
                        + ": the event at version " + version + " would skip one");
            }
            byte[] next = (version + " " + (row.total() + amount)).getBytes(StandardCharsets.US_ASCII);
            if (bucket.update(account, next, entry.map(KeyValueBucket.Entry::revision).orElse(0L)).isPresent()) {
                return;
            }
        }
    }

    /** The rows of these accounts, read from the bucket's leader; accounts without a row are left out. */
    Map<String, Row> rows(List<String> accounts) throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String account : accounts) {
            bucket.current(account).ifPresent(e -> rows.put(account, parse(e)));
        }
        return rows;
    }

    private static Row parse(KeyValueBucket.Entry entry) {
        String[] parts = new String(entry.value(), StandardCharsets.US_ASCII).split(" ");
        return new Row(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }
}
