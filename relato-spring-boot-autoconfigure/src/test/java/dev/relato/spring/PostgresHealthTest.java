package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.postgres.PrivateServer;
import dev.relato.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The health indicator on PostgreSQL: UP while the database answers, DOWN once its server (a private one, started
 * for the test) is stopped.
 */
class PostgresHealthTest {
    @Test
    void healthGoesDownWhenTheDatabaseIsUnreachable() throws Exception {
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.assumeTrue(PrivateServer.available(), "no PostgreSQL binaries to start a private server");
        }
        try (PrivateServer server = PrivateServer.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                            RelatoAutoConfiguration.class, RelatoActuatorAutoConfiguration.class,
                            HealthContributorAutoConfiguration.class))
                    .withPropertyValues("relato.store=postgres", "spring.datasource.url=" + server.url(),
                            "spring.datasource.hikari.connection-timeout=1000")
                    .run(context -> {
                        RelatoHealthIndicator health = context.getBean(RelatoHealthIndicator.class);
                        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                        server.stop();
                        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.health().getDetails()).containsKey("error");
                    });
        }
    }

    @Test
    void migrationOnStartCanBeLeftToFlywayOrLiquibase() {
        String schema = TestDatabase.newSchema("spring_nomigrate");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        RelatoAutoConfiguration.class))
                .withPropertyValues("relato.store=postgres", "relato.migrate=false", "relato.postgres.schema=" + schema,
                        "spring.datasource.url=" + TestDatabase.url())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    try (Connection c = DriverManager.getConnection(TestDatabase.url());
                         Statement s = c.createStatement();
                         var rows = s.executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                                 + schema + "'")) {
                        rows.next();
                        assertThat(rows.getInt(1)).as("schema " + schema + " created").isZero();
                    }
                });
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        RelatoAutoConfiguration.class))
                .withPropertyValues("relato.store=postgres", "relato.postgres.schema=" + schema,
                        "spring.datasource.url=" + TestDatabase.url())
                .run(context -> assertThat(context.getBean(dev.relato.EventStore.class).headPosition()).isZero());
        TestDatabase.dropSchema(schema);
    }

}
