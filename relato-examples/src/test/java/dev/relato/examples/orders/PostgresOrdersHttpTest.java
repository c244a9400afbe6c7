package dev.relato.examples.orders;

class PostgresOrdersHttpTest extends OrdersHttpContract {
    private final String schema = TestPostgres.newSchema();

    @Override
    OrdersApp.Settings settings() {
        return OrdersApp.Settings.of(OrdersApp.Store.POSTGRES).withUrl(TestPostgres.url()).withSchema(schema);
    }

    @Override
    void dropData() throws Exception {
        TestPostgres.dropSchema(schema);
    }
}
