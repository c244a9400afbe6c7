package dev.relato.spring;

import dev.relato.memory.InMemoryEventStore;
import dev.relato.nats.NatsEventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.privacy.InMemoryDataKeyStore;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.InMemoryDeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteEventStore;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** One configuration per store, each active when {@code relato.store} names it and its module is present. */
final class StoreConfigurations {
    private StoreConfigurations() {
    }

    private static List<Projection<Connection>> inline(ObjectProvider<InlineProjection> inline) {
        return inline.orderedStream().map(InlineProjection::projection).toList();
    }

    /**
     * The {@link RelatoObserver} beans (such as the one of {@link RelatoMetricsAutoConfiguration}) as the one observer
     * a store is built with; the repositories and projection runners on the store report to it too.
     */
    private static RelatoObserver observer(ObjectProvider<RelatoObserver> observers) {
        List<RelatoObserver> all = observers.orderedStream().toList();
        return all.isEmpty() ? RelatoObserver.none() : RelatoObserver.of(all.toArray(RelatoObserver[]::new));
    }

    private static void noInline(ObjectProvider<InlineProjection> inline, String store) {
        if (inline.orderedStream().findAny().isPresent()) {
            throw new IllegalStateException("relato.store=" + store + " has no SQL transactions, so it cannot run the"
                    + " InlineProjection beans: use sqlite or postgres, or declare them as asynchronous Projection"
                    + " beans");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "memory")
    static class Memory {
        @Bean
        @ConditionalOnMissingBean
        InMemoryEventStore relatoMemoryStore(ObjectProvider<RelatoObserver> observers) {
            return InMemoryEventStore.builder().observer(observer(observers)).build();
        }

        @Bean
        RelatoStore relatoStore(InMemoryEventStore store, ObjectProvider<InlineProjection> inline) {
            noInline(inline, "memory");
            InMemoryDataKeyStore dataKeys = new InMemoryDataKeyStore();
            return new PlainRelatoStore(store, new InMemoryCheckpointStore(), new InMemoryDeadLetterStore(),
                    () -> dataKeys);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.relato.sqlite.SqliteEventStore")
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "sqlite", matchIfMissing = true)
    static class Sqlite {
        @Bean
        @ConditionalOnMissingBean
        SqliteEventStore relatoSqliteStore(RelatoProperties properties, ObjectProvider<RelatoObserver> observers) {
            RelatoProperties.Sqlite sqlite = properties.getSqlite();
            SqliteEventStore.Builder builder = SqliteEventStore.builder()
                    .path(sqlite.getPath())
                    .tablePrefix(sqlite.getTablePrefix())
                    .busyTimeout(sqlite.getBusyTimeout())
                    .readConnections(sqlite.getReadConnections())
                    .observer(observer(observers));
            if (properties.getMaxEventBytes() != null) {
                builder.maxEventBytes(properties.getMaxEventBytes());
            }
            return builder.build();
        }

        /** Spring's transactions on the SQLite file, unless the application has a transaction manager. */
        @Bean
        @ConditionalOnMissingBean(PlatformTransactionManager.class)
        SqliteTransactionManager transactionManager(SqliteEventStore store) {
            return new SqliteTransactionManager(store);
        }

        @Bean
        RelatoStore relatoStore(SqliteEventStore store, ObjectProvider<SqliteTransactionManager> transactions,
                                EventSerializer serializer, ObjectProvider<InlineProjection> inline) {
            SqliteTransactionManager manager = transactions.getIfAvailable(() -> new SqliteTransactionManager(store));
            return new SqliteRelatoStore(store, manager, serializer, inline(inline));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.relato.postgres.PostgresEventStore",
            "org.springframework.jdbc.datasource.DataSourceUtils"})
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "postgres")
    static class Postgres {
        @Bean
        @ConditionalOnMissingBean
        PostgresEventStore relatoPostgresStore(RelatoProperties properties, ObjectProvider<DataSource> dataSource,
                                               ObjectProvider<RelatoObserver> observers) {
            RelatoProperties.Postgres postgres = properties.getPostgres();
            PostgresEventStore.Builder builder = PostgresEventStore.builder()
                    .dataSource(dataSource(dataSource))
                    .schema(postgres.getSchema())
                    .tablePrefix(postgres.getTablePrefix())
                    .observer(observer(observers));
            if (properties.getMaxEventBytes() != null) {
                builder.maxEventBytes(properties.getMaxEventBytes());
            }
            PostgresEventStore store = builder.build();
            if (properties.isMigrate()) {
                store.migrate();
            }
            return store;
        }

        @Bean
        RelatoStore relatoStore(PostgresEventStore store, ObjectProvider<DataSource> dataSource,
                                EventSerializer serializer, ObjectProvider<InlineProjection> inline) {
            return new PostgresRelatoStore(store, dataSource(dataSource), serializer, inline(inline));
        }

        private static DataSource dataSource(ObjectProvider<DataSource> dataSource) {
            DataSource found = dataSource.getIfUnique();
            if (found == null) {
                throw new IllegalStateException("relato.store=postgres uses the application's DataSource, and there is"
                        + " no single one: set spring.datasource.url (and add spring-boot-starter-jdbc)");
            }
            return found;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.relato.nats.NatsEventStore")
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "nats")
    static class Nats {
        @Bean
        @ConditionalOnMissingBean
        NatsEventStore relatoNatsStore(RelatoProperties properties, ObjectProvider<RelatoObserver> observers) {
            RelatoProperties.Nats nats = properties.getNats();
            NatsEventStore.Builder builder = NatsEventStore.builder()
                    .url(nats.getUrl())
                    .streamName(nats.getStreamName())
                    .replicas(nats.getReplicas())
                    .requestTimeout(nats.getRequestTimeout())
                    .observer(observer(observers));
            if (nats.getSubjectPrefix() != null) {
                builder.subjectPrefix(nats.getSubjectPrefix());
            }
            if (properties.getMaxEventBytes() != null) {
                builder.maxEventBytes(properties.getMaxEventBytes());
            }
            return builder.build();
        }

        @Bean
        RelatoStore relatoStore(NatsEventStore store, ObjectProvider<InlineProjection> inline) {
            noInline(inline, "nats");
            return new PlainRelatoStore(store, store.checkpoints(), store.deadLetters(), store::dataKeys);
        }
    }
}
