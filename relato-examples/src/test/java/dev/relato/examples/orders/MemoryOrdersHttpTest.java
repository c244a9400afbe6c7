package dev.relato.examples.orders;

import java.util.Optional;

class MemoryOrdersHttpTest extends OrdersHttpContract {

    @Override
    OrdersApp.Settings settings() {
        return new OrdersApp.Settings(OrdersApp.Store.MEMORY, Optional.empty(), OrdersApp.Settings.DEFAULT_SCHEMA, 0);
    }

    @Override
    void dropData() {
        // the store lived in the closed service's memory
    }
}
