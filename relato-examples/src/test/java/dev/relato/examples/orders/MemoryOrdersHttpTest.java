package dev.relato.examples.orders;

import java.util.Optional;

class MemoryOrdersHttpTest extends OrdersHttpContract {

    @Override
    OrdersApp.Settings settings() {
        return new OrdersApp.Settings(OrdersApp.Store.MEMORY, Optional.empty(), 0);
    }

    @Override
    void dropData() {
        // the store lived in the closed service's memory
    }
}
