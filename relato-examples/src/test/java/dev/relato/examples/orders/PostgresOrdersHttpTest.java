package dev.relato.examples.orders;

import dev.relato.postgres.TestDatabase;

class PostgresOrdersHttpTest extends OrdersHttpContract {
    private final String schema = TestDatabase.newSchema("orders");

    @Override
    OrdersApp.Settings settings() {
        return OrdersApp.Settings.of(OrdersApp.Store.POSTGRES).withKeyFile(TestKeys.file()).withUrl(TestDatabase.url()).withSchema(schema);
    }

    @Override
    void dropData() {
        TestDatabase.dropSchema(schema);
    }
}
