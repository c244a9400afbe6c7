package dev.relato.examples.orders;

class MemoryOrdersHttpTest extends OrdersHttpContract {

    @Override
    OrdersApp.Settings settings() {
        return OrdersApp.Settings.of(OrdersApp.Store.MEMORY);
    }

    @Override
    void dropData() {
        // the store lived in the closed service's memory
    }
}
