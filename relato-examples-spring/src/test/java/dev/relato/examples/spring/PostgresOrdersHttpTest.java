package dev.relato.examples.spring;

import dev.relato.postgres.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Spring Orders service on PostgreSQL, in a schema of its own that is dropped when the context closes. */
@SpringBootTest(classes = {OrdersSpringApp.class, PostgresOrdersHttpTest.DropSchema.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
class PostgresOrdersHttpTest extends OrdersHttpContract {
    static final String SCHEMA = TestDatabase.newSchema("orders_spring");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestDatabase.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        registry.add("spring.datasource.url", () -> TestDatabase.url() + "&currentSchema=" + SCHEMA);
        registry.add("relato.postgres.schema", () -> SCHEMA);
        registry.add("relato.examples.key-file", PostgresOrdersHttpTest::keyFile);
    }

    /** A temporary file holding a test key-encryption key (PostgreSQL has no development key). */
    private static String keyFile() {
        try {
            Path file = Files.createTempFile("relato-orders-spring-", ".key");
            file.toFile().deleteOnExit();
            return Files.writeString(file, Base64.getEncoder().encodeToString(new byte[32])).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class DropSchema {
        @Bean
        DisposableBean dropSchema() {
            return () -> TestDatabase.dropSchema(SCHEMA);
        }
    }
}
