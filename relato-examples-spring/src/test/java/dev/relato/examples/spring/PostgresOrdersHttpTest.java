package dev.relato.examples.spring;

import dev.relato.postgres.TestDatabase;
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
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class DropSchema {
        @Bean
        DisposableBean dropSchema() {
            return () -> TestDatabase.dropSchema(SCHEMA);
        }
    }
}
