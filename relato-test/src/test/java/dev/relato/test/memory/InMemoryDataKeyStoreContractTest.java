package dev.relato.test.memory;

import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.InMemoryDataKeyStore;
import dev.relato.test.contract.DataKeyStoreContract;

class InMemoryDataKeyStoreContractTest extends DataKeyStoreContract {

    @Override
    protected DataKeyStore createKeyStore() {
        return new InMemoryDataKeyStore();
    }
}
