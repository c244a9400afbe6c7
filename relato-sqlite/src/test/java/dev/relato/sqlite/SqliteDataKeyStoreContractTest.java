package dev.relato.sqlite;

import dev.relato.privacy.DataKeyStore;
import dev.relato.test.contract.DataKeyStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteDataKeyStoreContractTest extends DataKeyStoreContract {
    @TempDir
    Path dir;
    private SqliteEventStore store;

    @Override
    protected DataKeyStore createKeyStore() {
        store = SqliteEventStore.open(dir.resolve("keys.db"));
        return store.dataKeys();
    }

    @Override
    protected void destroyKeyStore(DataKeyStore keys) {
        store.close();
    }
}
