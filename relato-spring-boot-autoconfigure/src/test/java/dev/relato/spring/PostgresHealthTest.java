package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator on PostgreSQL: UP while the database answers, DOWN once it is gone. */
class PostgresHealthTest {
    @Test
    void healthGoesDownWhenTheDatabaseIsUnreachable() throws SQLException {
        String database = "relato_spring_health_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        admin("CREATE DATABASE " + database);
        String url = TestDatabase.url().replaceFirst("/relato_test_[0-9a-f]+", "/" + database);
        try {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                            RelatoAutoConfiguration.class, RelatoActuatorAutoConfiguration.class,
                            HealthContributorAutoConfiguration.class))
                    .withPropertyValues("relato.store=postgres", "spring.datasource.url=" + url,
                            "spring.datasource.hikari.connection-timeout=1000")
                    .run(context -> {
                        RelatoHealthIndicator health = context.getBean(RelatoHealthIndicator.class);
                        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                        admin("DROP DATABASE " + database + " WITH (FORCE)");
                        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.health().getDetails()).containsKey("error");
                    });
        } finally {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
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

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestDatabase.otherDatabaseUrl()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
