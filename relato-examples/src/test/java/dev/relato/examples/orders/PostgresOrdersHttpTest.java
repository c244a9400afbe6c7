package dev.relato.examples.orders;

import java.util.Optional;

class PostgresOrdersHttpTest extends OrdersHttpContract {
    private final String schema = TestPostgres.newSchema();

    @Override
    OrdersApp.Settings settings() {
        return new OrdersApp.Settings(OrdersApp.Store.POSTGRES, Optional.of(TestPostgres.url()), schema, 0);
    }

    @Override
    void dropData() throws Exception {
        TestPostgres.dropSchema(schema);
    }
}
