package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.SubscriptionOptions;
import dev.relato.test.contract.EventStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventStoreContractTest extends EventStoreContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.builder().path(dir.resolve("events.db"))
                .subscriptionOptions(SubscriptionOptions.DEFAULT.withPollInterval(Duration.ofMillis(50))).build();
    }
}
