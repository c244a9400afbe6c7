package dev.relato.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.serialization.EventCodec;
import dev.relato.serialization.JacksonEventCodec;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * The events' JSON: Relato's own mapper ({@link JacksonEventCodec#defaultMapper()}: records through their
 * constructors, {@code java.time} as ISO-8601, unknown properties ignored, decimals exact) with the application's
 * {@link Jackson2ObjectMapperBuilderCustomizer} beans applied on top, so the modules, mix-ins and
 * {@code spring.jackson.*} settings the application gives Spring's {@code ObjectMapper} apply to events too. Only
 * when Spring's Jackson support is on the class path; else the serializer keeps Relato's mapper.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({Jackson2ObjectMapperBuilder.class, Jackson2ObjectMapperBuilderCustomizer.class})
class EventCodecConfiguration {
    @Bean
    @ConditionalOnMissingBean
    EventCodec relatoEventCodec(ObjectProvider<Jackson2ObjectMapperBuilderCustomizer> customizers) {
        List<Jackson2ObjectMapperBuilderCustomizer> all = customizers.orderedStream().toList();
        ObjectMapper mapper = JacksonEventCodec.defaultMapper();
        if (!all.isEmpty()) {
            Jackson2ObjectMapperBuilder builder = new Jackson2ObjectMapperBuilder();
            all.forEach(c -> c.customize(builder));
            builder.configure(mapper);
        }
        return new JacksonEventCodec(mapper);
    }
}
