package dev.relato.spring;

import dev.relato.micrometer.RelatoMetrics;
import dev.relato.projection.ProjectionRunner;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Relato's meters ({@link RelatoMetrics}, from {@code relato-micrometer}) in the application's {@link MeterRegistry}:
 * the {@link RelatoMetrics} bean is a {@link dev.relato.observe.RelatoObserver} the auto-configured store is built
 * with, so the store, the repository beans and the projection runners report to it; each runner
 * {@link RelatoProjections} starts also gets its gauges (lag, state, lease), moved to its successor on resume or
 * rebuild. Active when the application has a {@link MeterRegistry} bean (as with Spring Boot's actuator) and
 * {@code relato-micrometer} is on the class path; an application's own {@link RelatoMetrics} bean is used instead.
 */
@AutoConfiguration(after = RelatoAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(name = {"dev.relato.micrometer.RelatoMetrics", "io.micrometer.core.instrument.MeterRegistry"})
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
public class RelatoMetricsAutoConfiguration {

    /** Relato's meters in the application's registry. */
    @Bean
    @ConditionalOnMissingBean
    RelatoMetrics relatoMetrics(MeterRegistry registry) {
        return RelatoMetrics.of(registry);
    }

    /** Binds each started runner's gauges, unbinding those of the runner it replaces. */
    @Bean
    ProjectionRunnerListener relatoRunnerGauges(RelatoMetrics metrics) {
        Map<String, ProjectionRunner<?>> bound = new ConcurrentHashMap<>();
        return runner -> {
            ProjectionRunner<?> previous = bound.put(runner.name(), runner);
            if (previous != null) {
                metrics.unbind(previous);
            }
            metrics.bind(runner);
        };
    }
}
