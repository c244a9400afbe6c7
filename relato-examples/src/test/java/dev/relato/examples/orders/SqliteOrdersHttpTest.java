package dev.relato.examples.orders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

class SqliteOrdersHttpTest extends OrdersHttpContract {
    private Path directory;

    @Override
    OrdersApp.Settings settings() throws Exception {
        directory = Files.createTempDirectory("relato-orders-");
        return new OrdersApp.Settings(OrdersApp.Store.SQLITE, Optional.of(directory.resolve("orders.db").toString()),
                OrdersApp.Settings.DEFAULT_SCHEMA, 0);
    }

    @Override
    void dropData() throws Exception {
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
