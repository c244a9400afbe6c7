package dev.relato.spring;

import dev.relato.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With Spring Boot's actuator: the {@code relato} health indicator ({@link RelatoHealthIndicator};
 * {@code management.health.relato.enabled=false} turns it off) and the {@code projections} endpoint
 * ({@link ProjectionsEndpoint}).
 */
@AutoConfiguration(after = RelatoAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(RelatoStore.class)
public class RelatoActuatorAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "relatoHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("relato")
    RelatoHealthIndicator relatoHealthIndicator(RelatoStore store, ObjectProvider<RelatoProjections> projections) {
        EventStore raw = store.store();
        return new RelatoHealthIndicator(raw, projections.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(RelatoProjections.class)
    @ConditionalOnAvailableEndpoint(endpoint = ProjectionsEndpoint.class)
    ProjectionsEndpoint projectionsEndpoint(RelatoProjections projections) {
        return new ProjectionsEndpoint(projections);
    }
}
