package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventStore;
import dev.relato.StreamId;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import dev.relato.spring.Accounts.Account;
import dev.relato.spring.Accounts.AccountCommand;
import dev.relato.spring.Accounts.AccountEvent;
import dev.relato.spring.Accounts.Opened;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Closing the context waits for the projection batch in flight, which completes and is checkpointed. */
class ProjectionShutdownTest {
    @Test
    void closingTheContextWaitsForTheBatchInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        Projection<Object> slow = Projection.named("slow").on(Opened.class, (context, event, record) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            finished.set(true);
        }).build();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RelatoAutoConfiguration.class))
                .withPropertyValues("relato.store=memory", "relato.projections.shutdown-timeout=5m")
                .withBean("accounts", DeciderDefinition.class, Accounts::definition)
                .withBean("slow", Projection.class, () -> slow)
                .run(context -> {
                    @SuppressWarnings("unchecked")
                    DeciderRepository<AccountCommand, AccountEvent, Account> accounts =
                            context.getBean("accountsRepository", DeciderRepository.class);
                    accounts.create("a-1", new Accounts.Open("alice"));
                    long position = context.getBean(EventStore.class).read(StreamId.of("Account", "a-1")).get(0)
                            .position();
                    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
                    RelatoProjections projections = context.getBean(RelatoProjections.class);
                    Thread closer = new Thread(() -> context.getSourceApplicationContext().close());
                    closer.start();
                    while (projections.isRunning()) {
                        Thread.onSpinWait();
                    }
                    release.countDown();
                    closer.join();
                    assertThat(finished).isTrue();
                    assertThat(interrupted).isFalse();
                    ProjectionStatus status = projections.status("slow").orElseThrow();
                    assertThat(status.state()).isEqualTo(ProjectionState.STOPPED);
                    assertThat(status.position()).isEqualTo(position);
                });
    }
}
