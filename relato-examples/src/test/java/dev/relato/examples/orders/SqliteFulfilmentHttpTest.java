package dev.relato.examples.orders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

class SqliteFulfilmentHttpTest extends FulfilmentHttpContract {
    private Path directory;

    @Override
    OrdersApp.Settings settings() throws Exception {
        directory = Files.createTempDirectory("relato-fulfilment-");
        return OrdersApp.Settings.of(OrdersApp.Store.SQLITE).withUrl(directory.resolve("orders.db").toString());
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
