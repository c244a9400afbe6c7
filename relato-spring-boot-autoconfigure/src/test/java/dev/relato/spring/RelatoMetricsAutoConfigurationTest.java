package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.aggregate.DeciderRepository;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.observe.RelatoObserver;
import dev.relato.projection.Projection;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.spring.Accounts.Deposit;
import dev.relato.spring.Accounts.Open;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/** Relato's meters in the application's registry, and start-up without them. */
class RelatoMetricsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RelatoAutoConfiguration.class,
                    RelatoMetricsAutoConfiguration.class))
            .withUserConfiguration(RelatoAutoConfigurationTest.AccountsConfiguration.class)
            .withPropertyValues("relato.store=memory");

    @Test
    void theStoreTheRepositoriesAndTheRunnersReportToTheApplicationsRegistry() {
        Map<String, String> owners = Accounts.newModel();
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .withBean("owners", Projection.class, () -> Accounts.owners(owners))
                .run(context -> {
                    assertThat(context).hasSingleBean(RelatoMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(context.getBean(InMemoryEventStore.class).observer())
                            .isSameAs(context.getBean(RelatoMetrics.class));
                    RelatoProjections projections = context.getBean(RelatoProjections.class);

                    repository(context).create("a-1", new Open("alice"));
                    repository(context).create("a-2", new Open("bob"));
                    repository(context).handle("a-1", new Deposit(BigDecimal.TEN));
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

                    assertThat(registry.get(RelatoMetrics.APPEND).tags("store", "memory", "category", "Account",
                            "outcome", "succeeded").timer().count()).isEqualTo(3);
                    assertThat(registry.get(RelatoMetrics.COMMAND_ATTEMPTS).tag("category", "Account").summary()
                            .count()).isEqualTo(1);
                    assertThat(registry.get(RelatoMetrics.HANDLE).tags("projection", "owners",
                            "outcome", "succeeded").timer().count()).isEqualTo(2);
                    assertThat(registry.get(RelatoMetrics.BATCH_EVENTS).tag("projection", "owners").summary()
                            .totalAmount()).isEqualTo(2);
                    assertThat(registry.get(RelatoMetrics.LAG_POSITIONS).tag("projection", "owners").gauge()
                            .value()).isZero();
                    assertThat(stateGauge(registry, "stopped")).isZero();

                    projections.pause("owners");
                    assertThat(stateGauge(registry, "paused")).isEqualTo(1);
                    projections.resume("owners");
                    assertThat(projections.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
                    assertThat(stateGauge(registry, "paused")).isZero();
                    assertThat(registry.find(RelatoMetrics.STATE).tags("projection", "owners", "state", "stopped")
                            .gauges()).hasSize(1);
                });
    }

    @Test
    void withoutRelatoMicrometerTheApplicationStartsWithoutRelatosMeters() {
        runner.withClassLoader(new FilteredClassLoader("dev.relato.micrometer"))
                .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(RelatoMetricsAutoConfiguration.class);
                    repository(context).create("a-1", new Open("alice"));
                    assertThat(context.getBean(InMemoryEventStore.class).observer()).isSameAs(RelatoObserver.none());
                    assertThat(context.getBean(MeterRegistry.class).find(RelatoMetrics.APPEND).meters()).isEmpty();
                });
    }

    @Test
    void withoutMicrometerTheApplicationStarts() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer", "dev.relato.micrometer"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(RelatoMetricsAutoConfiguration.class);
                    repository(context).create("a-1", new Open("alice"));
                    assertThat(repository(context).load("a-1")).isPresent();
                });
    }

    @Test
    void withoutARegistryBeanThereAreNoMeters() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RelatoMetrics.class));
    }

    private static double stateGauge(MeterRegistry registry, String state) {
        return registry.get(RelatoMetrics.STATE).tags("projection", "owners", "state", state).gauge().value();
    }

    @SuppressWarnings("unchecked")
    private static DeciderRepository<AccountCommand, AccountEvent, Account> repository(ApplicationContext context) {
        return context.getBean("accountsRepository", DeciderRepository.class);
    }
}
