package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventCodec;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.Upcaster;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * Relato in a Spring Boot application: the store named by {@code relato.store} ({@link RelatoProperties}), the
 * {@link EventSerializer}, the application's {@link EventStore} bean that joins Spring-managed transactions, a
 * repository bean per {@link DeciderDefinition} and {@link AggregateDefinition} bean, and the projection beans run
 * by {@link RelatoProjections}. Every bean backs off when the application declares its own of the same type.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        beforeName = {"org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration",
                "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration"})
@EnableConfigurationProperties(RelatoProperties.class)
@Import({StoreConfigurations.Memory.class, StoreConfigurations.Sqlite.class, StoreConfigurations.Postgres.class,
        StoreConfigurations.Nats.class, EventCodecConfiguration.class})
public class RelatoAutoConfiguration {

    /** Registers a repository bean for each decider or aggregate definition bean. */
    @Bean
    static RepositoryRegistrar relatoRepositoryRegistrar() {
        return new RepositoryRegistrar();
    }

    /**
     * The serializer: the classes of {@code relato.event-types} and the event types of the definition beans (sealed
     * hierarchies registered whole), then the {@link EventTypesCustomizer} beans; the {@link Upcaster} beans; the
     * {@link EventCodec} bean if any (by default Relato's Jackson mapper with Spring's customizers).
     */
    @Bean
    @ConditionalOnMissingBean
    EventSerializer relatoEventSerializer(RelatoProperties properties,
                                          ObjectProvider<DeciderDefinition<?, ?, ?>> deciders,
                                          ObjectProvider<AggregateDefinition<?, ?>> aggregates,
                                          ObjectProvider<EventTypesCustomizer> customizers,
                                          ObjectProvider<Upcaster> upcasters, ObjectProvider<EventCodec> codec) {
        Set<Class<?>> classes = new LinkedHashSet<>(properties.getEventTypes());
        deciders.orderedStream().forEach(d -> classes.add(d.eventType()));
        aggregates.orderedStream().forEach(a -> classes.add(a.eventType()));
        EventTypes.Builder types = EventTypes.builder();
        for (Class<?> type : classes) {
            if (type.isSealed()) {
                types.registerSealed(type);
            } else {
                types.register(type);
            }
        }
        customizers.orderedStream().forEach(c -> c.customize(types));
        EventSerializer.Builder serializer = EventSerializer.builder(types.build())
                .upcasters(upcasters.orderedStream().toList());
        codec.ifAvailable(serializer::codec);
        return serializer.build();
    }

    /**
     * The application's event store: inside a Spring-managed transaction it works in that transaction (SQLite,
     * PostgreSQL), and its appends run the inline projections.
     */
    @Bean(destroyMethod = "")
    @Primary
    @ConditionalOnMissingBean(name = "relatoEventStore")
    EventStore relatoEventStore(ObjectProvider<RelatoStore> store, RelatoProperties properties,
                                ObjectProvider<PersonalDataStore> personalData) {
        EventStore transactional = required(store, properties).transactional();
        PersonalDataStore personal = personalData.getIfAvailable();
        return personal == null ? transactional : personal.over(transactional);
    }

    /**
     * Personal data, when the application defines a {@link KeyEncryptionKey} bean: the store with the fields marked
     * {@link dev.relato.privacy.PersonalData} on the registered event classes encrypted, its data keys beside the
     * events. The application's event store ({@code relatoEventStore}) and the projections' runners read and write
     * through it, so inline and asynchronous projections see the events decrypted; the application forgets a
     * subject with {@link PersonalDataStore#forget}. A key-encryption key that does not open the stored data keys
     * fails the start with {@link dev.relato.privacy.PersonalDataException}.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnBean(KeyEncryptionKey.class)
    @ConditionalOnMissingBean
    PersonalDataStore relatoPersonalData(ObjectProvider<RelatoStore> store, RelatoProperties properties,
                                         EventSerializer serializer, KeyEncryptionKey kek) {
        RelatoStore relato = required(store, properties);
        return PersonalDataStore.builder(relato.store()).keyStore(relato.dataKeys()).keyEncryptionKey(kek)
                .types(serializer.types()).build();
    }

    /**
     * Where the projections' runners keep the events they skipped (in the store's database or key-value bucket), for
     * operators who list, skip or replay them.
     */
    @Bean
    @ConditionalOnMissingBean
    DeadLetterStore relatoDeadLetterStore(ObjectProvider<RelatoStore> store, RelatoProperties properties) {
        return required(store, properties).deadLetters();
    }

    /** The projection beans, run asynchronously while the context runs. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "relato.projections", name = "enabled", matchIfMissing = true)
    RelatoProjections relatoProjections(ObjectProvider<RelatoStore> store, RelatoProperties properties,
                                        EventSerializer serializer, ObjectProvider<Projection<?>> projections,
                                        ObjectProvider<ProjectionRunnerListener> listeners,
                                        ObjectProvider<PersonalDataStore> personalData) {
        RelatoStore relato = required(store, properties);
        PersonalDataStore personal = personalData.getIfAvailable();
        EventStore events = personal == null ? relato.store() : personal;
        RelatoProperties.Projections settings = properties.getProjections();
        List<Projection<?>> beans = projections.orderedStream().toList();
        List<ProjectionRunnerListener> started = listeners.orderedStream().toList();
        return new RelatoProjections(beans, p -> relato.runner(p, serializer, events)
                .batchSize(settings.getBatchSize())
                .pollInterval(settings.getPollInterval())
                .closeTimeout(settings.getShutdownTimeout()), relato.checkpoints(), settings.getShutdownTimeout(),
                runner -> started.forEach(l -> l.started(runner)));
    }

    private static RelatoStore required(ObjectProvider<RelatoStore> store, RelatoProperties properties) {
        RelatoStore relato = store.getIfAvailable();
        if (relato == null) {
            String module = "relato-" + properties.getStore().name().toLowerCase(java.util.Locale.ROOT);
            throw new IllegalStateException("relato.store=" + properties.getStore().name().toLowerCase(
                    java.util.Locale.ROOT) + " needs the module dev.relato:" + module + " on the class path");
        }
        return relato;
    }
}
