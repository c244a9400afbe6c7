package dev.relato.examples.spring;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Spring Orders service on a SQLite file of its own. */
@SpringBootTest(classes = OrdersSpringApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SqliteOrdersHttpTest extends OrdersHttpContract {
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path folder = Files.createTempDirectory("relato-orders-spring");
        folder.toFile().deleteOnExit();
        registry.add("relato.sqlite.path", () -> folder.resolve("orders.db").toString());
    }
}
