package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.aggregate.DeciderRepository;
import dev.relato.nats.NatsEventStore;
import dev.relato.projection.Projection;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter on NATS JetStream, in a stream and buckets of its own that are deleted after. */
@ExtendWith(NatsServerAnswers.class)
class NatsAutoConfigurationTest {
    @Test
    void repositoriesProjectionsAndHealthOnNats() throws Exception {
        String stream = "relato-spring-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> owners = Accounts.newModel();
        try {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(RelatoAutoConfiguration.class,
                            RelatoActuatorAutoConfiguration.class, HealthContributorAutoConfiguration.class))
                    .withUserConfiguration(Definitions.class)
                    .withBean("owners", Projection.class, () -> Accounts.owners(owners))
                    .withPropertyValues("relato.store=nats", "relato.nats.url=" + NatsServerAnswers.URL,
                            "relato.nats.stream-name=" + stream)
                    .run(context -> {
                        assertThat(context).hasSingleBean(NatsEventStore.class);
                        @SuppressWarnings("unchecked")
                        DeciderRepository<AccountCommand, AccountEvent, Account> accounts =
                                context.getBean("accountsRepository", DeciderRepository.class);
                        accounts.create("n-1", new Accounts.Open("alice"));
                        accounts.handle("n-1", new Accounts.Deposit(BigDecimal.ONE));
                        assertThat(accounts.load("n-1").orElseThrow().state().balance()).isEqualByComparingTo("1");
                        assertThat(context.getBean(RelatoProjections.class).awaitCaughtUp(Duration.ofSeconds(20)))
                                .isTrue();
                        assertThat(owners).containsEntry("n-1", "alice");
                        assertThat(context.getBean(RelatoHealthIndicator.class).health().getStatus())
                                .isEqualTo(Status.UP);
                    });
        } finally {
            try (Connection connection = Nats.connect(NatsServerAnswers.URL)) {
                JetStreamManagement jsm = connection.jetStreamManagement();
                for (String name : jsm.getStreamNames()) {
                    if (name.contains(stream)) {
                        jsm.deleteStream(name);
                    }
                }
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Definitions {
        @Bean
        DeciderDefinition<AccountCommand, AccountEvent, Account> accounts() {
            return Accounts.definition();
        }
    }
}
