package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalData;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.projection.ProjectionState;
import dev.relato.serialization.EventSerializer;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.spring.Accounts.Deposit;
import dev.relato.spring.Accounts.Open;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;

/** The auto-configuration in plain application contexts, mostly on the in-memory store. */
class RelatoAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RelatoAutoConfiguration.class, RelatoActuatorAutoConfiguration.class,
                    EndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class))
            .withPropertyValues("relato.store=memory");

    @Test
    void aDeciderDefinitionBecomesARepositoryInjectedByItsTypes() {
        runner.withUserConfiguration(AccountsConfiguration.class, Service.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(InMemoryEventStore.class);
            assertThat(context.getBean(EventStore.class)).isInstanceOf(TransactionalEventStore.class);
            Service service = context.getBean(Service.class);
            service.accounts.create("a-1", new Open("alice"));
            service.accounts.handle("a-1", new Deposit(new BigDecimal("12.50")));
            assertThat(service.accounts.load("a-1").orElseThrow().state())
                    .isEqualTo(new Account("alice", new BigDecimal("12.50")));
            assertThat(context.getBean("accountsRepository")).isSameAs(service.accounts);
            assertThat(context.getBean(EventSerializer.class).types().find("Opened")).isPresent();
        });
    }

    @Test
    void anAggregateDefinitionBecomesARepository() {
        runner.withUserConfiguration(LedgerConfiguration.class).run(context -> {
            @SuppressWarnings("unchecked")
            AggregateRootRepository<Ledger, AccountEvent> ledgers = context.getBean("ledgersRepository",
                    AggregateRootRepository.class);
            ledgers.create("l-1", ledger -> ledger.open("alice"));
            ledgers.update("l-1", ledger -> ledger.deposit(BigDecimal.TEN));
            assertThat(ledgers.load("l-1").orElseThrow().balance()).isEqualByComparingTo("10");
            assertThat(context.getBeanProvider(ResolvableType.forClassWithGenerics(AggregateRootRepository.class,
                    Ledger.class, AccountEvent.class)).getObject()).isSameAs(ledgers);
        });
    }

    /** An event with personal data. */
    record Registered(String customerId, @PersonalData(subject = "customerId") String name) {
    }

    @Test
    void aKeyEncryptionKeyBeanEncryptsPersonalDataInTheApplicationsStore() {
        runner.withBean(EventTypesCustomizer.class, () -> types -> types.register(Registered.class))
                .withBean(KeyEncryptionKey.class, () -> KeyEncryptionKey.of(new byte[32], "test key"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventStore store = context.getBean(EventStore.class);
                    EventSerializer serializer = context.getBean(EventSerializer.class);
                    StreamId stream = StreamId.of("customer", "c-1");
                    store.append(stream, ExpectedVersion.noStream(),
                            List.of(serializer.serialize(new Registered("c-1", "Ann Example"))));

                    assertThat(context.getBean(InMemoryEventStore.class).read(stream).get(0).payload())
                            .contains("c-1").doesNotContain("Ann Example");
                    assertThat(serializer.deserialize(store.read(stream).get(0)))
                            .isEqualTo(new Registered("c-1", "Ann Example"));
                    context.getBean(PersonalDataStore.class).forget("c-1");
                    assertThat(serializer.deserialize(store.read(stream).get(0)))
                            .isEqualTo(new Registered("c-1", PersonalDataStore.ERASED));
                });
    }

    @Test
    void withoutAKeyEncryptionKeyBeanNothingIsEncrypted() {
        runner.run(context -> assertThat(context).doesNotHaveBean(PersonalDataStore.class));
    }

    @Test
    void eventTypesComeFromACustomizerBean() {
        runner.withBean(EventTypesCustomizer.class, () -> types -> types.register(NamedEvent.class, "Named", 2))
                .run(context -> assertThat(context.getBean(EventSerializer.class).types().find("Named"))
                        .hasValueSatisfying(t -> assertThat(t.version()).isEqualTo(2)));
    }

    @Test
    void eventTypesComeFromTheProperty() {
        runner.withPropertyValues("relato.event-types=" + AccountEvent.class.getName()).run(context -> {
            EventSerializer serializer = context.getBean(EventSerializer.class);
            assertThat(serializer.types().find(Accounts.Deposited.class)).isPresent();
            assertThat(serializer.types().find(Accounts.Opened.class)).isPresent();
        });
    }

    @Test
    void springsJacksonCustomizersShapeTheEventsJson() {
        runner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
                .withUserConfiguration(AccountsConfiguration.class, SnakeCase.class)
                .withPropertyValues("relato.event-types=" + NamedEvent.class.getName())
                .run(context -> {
                    EventSerializer serializer = context.getBean(EventSerializer.class);
                    assertThat(serializer.serialize(new NamedEvent("alice")).payload())
                            .isEqualTo("{\"full_name\":\"alice\"}");
                });
    }

    @Test
    void aProjectionBeanRunsWhileTheContextRunsAndStopsWithIt() {
        Map<String, String> owners = Accounts.newModel();
        RelatoProjections[] seen = new RelatoProjections[1];
        runner.withUserConfiguration(AccountsConfiguration.class)
                .withBean("owners", dev.relato.projection.Projection.class, () -> Accounts.owners(owners))
                .run(context -> {
                    RelatoProjections projections = context.getBean(RelatoProjections.class);
                    seen[0] = projections;
                    assertThat(projections.isRunning()).isTrue();
                    repository(context).create("a-1", new Open("alice"));
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
                    assertThat(owners).containsEntry("a-1", "alice");
                    assertThat(context.getBean(RelatoHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
                });
        assertThat(seen[0].isRunning()).isFalse();
        assertThat(seen[0].statuses()).singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo(ProjectionState.STOPPED));
    }

    @Test
    void theEndpointPausesResumesAndRebuildsAProjection() {
        Map<String, String> owners = Accounts.newModel();
        runner.withUserConfiguration(AccountsConfiguration.class)
                .withBean("owners", dev.relato.projection.Projection.class, () -> Accounts.owners(owners))
                .withPropertyValues("management.endpoints.web.exposure.include=projections")
                .run(context -> {
                    ProjectionsEndpoint endpoint = context.getBean(ProjectionsEndpoint.class);
                    RelatoProjections projections = context.getBean(RelatoProjections.class);
                    DeciderRepository<AccountCommand, AccountEvent, Account> accounts = repository(context);
                    accounts.create("a-1", new Open("alice"));
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

                    assertThat(endpoint.operate("owners", "pause").getBody()).containsEntry("paused", true)
                            .containsEntry("state", "paused");
                    accounts.create("a-2", new Open("bob"));
                    assertThat(owners).doesNotContainKey("a-2");
                    assertThat(endpoint.projections()).singleElement().satisfies(p -> assertThat(p)
                            .containsEntry("name", "owners").containsEntry("paused", true));

                    assertThat(endpoint.operate("owners", "resume").getBody()).containsEntry("paused", false);
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
                    assertThat(owners).containsEntry("a-2", "bob");

                    owners.clear();
                    endpoint.operate("owners", "rebuild");
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
                    assertThat(owners).containsOnlyKeys("a-1", "a-2");

                    assertThat(endpoint.operate("nobody", "pause").getStatus()).isEqualTo(404);
                    assertThat(endpoint.projection("nobody")).isNull();
                    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> endpoint.operate("owners", "drop")))
                            .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("drop");
                });
    }

    @Test
    void aWrongStoreNameFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("relato.store=oracle").run(context -> assertThat(context.getStartupFailure())
                .hasStackTraceContaining("Failed to bind properties under 'relato.store'")
                .hasRootCauseMessage("No enum constant dev.relato.spring.RelatoProperties.Store.oracle"));
    }

    @Test
    void anInvalidValueFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("relato.projections.batch-size=0").run(context -> assertThat(
                context.getStartupFailure()).hasMessageContaining("relato").hasStackTraceContaining("batchSize")
                .hasStackTraceContaining("must be at least 1"));
        runner.withPropertyValues("relato.sqlite.busy-timeout=0s").run(context -> assertThat(
                context.getStartupFailure()).hasStackTraceContaining("sqlite.busyTimeout"));
    }

    @Test
    void inlineProjectionsNeedASqlStore() {
        runner.withBean(InlineProjection.class, () -> Accounts.balances("balances")).run(context -> assertThat(context
                .getStartupFailure()).hasStackTraceContaining("relato.store=memory has no SQL transactions"));
    }

    @Test
    void theSqliteStoreIsTheDefault(@TempDir Path folder) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RelatoAutoConfiguration.class))
                .withPropertyValues("relato.sqlite.path=" + folder.resolve("default.db"))
                .run(context -> {
                    assertThat(context).hasSingleBean(dev.relato.sqlite.SqliteEventStore.class);
                    assertThat(context).hasSingleBean(SqliteTransactionManager.class);
                });
    }

    @Test
    void projectionsCanBeLeftToAnotherNode() {
        runner.withPropertyValues("relato.projections.enabled=false")
                .withBean("owners", dev.relato.projection.Projection.class, () -> Accounts.owners(Accounts.newModel()))
                .run(context -> assertThat(context).doesNotHaveBean(RelatoProjections.class)
                        .doesNotHaveBean(ProjectionsEndpoint.class));
    }

    @SuppressWarnings("unchecked")
    private static DeciderRepository<AccountCommand, AccountEvent, Account> repository(
            org.springframework.context.ApplicationContext context) {
        return context.getBean("accountsRepository", DeciderRepository.class);
    }

    record NamedEvent(String fullName) {}

    @Configuration(proxyBeanMethods = false)
    static class AccountsConfiguration {
        @Bean
        DeciderDefinition<AccountCommand, AccountEvent, Account> accounts() {
            return Accounts.definition();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LedgerConfiguration {
        @Bean
        AggregateDefinition<Ledger, AccountEvent> ledgers() {
            return AggregateDefinition.of("Ledger", AccountEvent.class, Ledger::new);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SnakeCase {
        @Bean
        Jackson2ObjectMapperBuilderCustomizer snakeCase() {
            return builder -> builder.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        }
    }

    static class Service {
        final DeciderRepository<AccountCommand, AccountEvent, Account> accounts;

        @Autowired
        Service(DeciderRepository<AccountCommand, AccountEvent, Account> accounts) {
            this.accounts = accounts;
        }
    }

}
