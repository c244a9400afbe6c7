package dev.relato.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class OutageRetryTest {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** A logger that records the level of every line logged at info level or above, and debug lines as "debug". */
    private final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                String name = method.getName();
                if (List.of("trace", "debug", "info", "warn", "error").contains(name)) {
                    lines.add(name);
                    return null;
                }
                if (name.startsWith("is") && name.endsWith("Enabled")) {
                    return true;
                }
                return name.equals("getName") ? "test" : null;
            });

    @Test
    void anOutageIsLoggedWhenItStartsAndWhenItEndsNotAtEveryRetry() {
        OutageRetry retry = new OutageRetry(RetryPolicy.whileUnavailable(Duration.ofMinutes(1)), logger, "test loop");
        StoreUnavailableException down = new StoreUnavailableException("down", null);
        for (int i = 0; i < 5; i++) {
            assertThat(retry.failed(down)).isPresent();
        }
        retry.succeeded();
        retry.succeeded();

        assertThat(lines).containsExactly("warn", "debug", "debug", "debug", "debug", "info");
        assertThat(retry.failures()).isZero();
    }

    @Test
    void aLongOutageWarnsOncePerIntervalAndItsRecoveryOnce() {
        long[] now = {0};
        OutageRetry retry = new OutageRetry(RetryPolicy.whileUnavailable(Duration.ofHours(1)), logger, "test loop",
                Duration.ofMinutes(1), () -> now[0]);
        StoreUnavailableException down = new StoreUnavailableException("down", null);
        for (int i = 0; i < 7; i++) {
            assertThat(retry.failed(down)).isPresent();
            now[0] += Duration.ofSeconds(20).toNanos();
        }
        retry.succeeded();
        retry.succeeded();

        assertThat(lines).containsExactly("warn", "debug", "debug", "warn", "debug", "debug", "warn", "info");
    }

    @Test
    void pastTheCeilingItGivesUpAndLeavesTheLastWordToTheCaller() {
        OutageRetry retry = new OutageRetry(RetryPolicy.whileUnavailable(Duration.ofMinutes(1)).withMaxAttempts(3),
                logger, "test loop");
        StoreUnavailableException down = new StoreUnavailableException("down", null);
        assertThat(retry.failed(down)).isPresent();
        assertThat(retry.failed(down)).isPresent();
        assertThat(retry.failed(down)).isEmpty();
        assertThat(retry.failures()).isEqualTo(3);
        assertThat(lines).containsExactly("warn", "debug");
    }
}
