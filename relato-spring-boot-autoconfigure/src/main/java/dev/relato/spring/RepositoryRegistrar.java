package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.serialization.EventSerializer;
import java.util.function.Function;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.ResolvableType;

/**
 * Registers, for each {@link DeciderDefinition} and {@link AggregateDefinition} bean, a repository bean named after
 * it (definition {@code orders}: repository {@code ordersRepository}) on the application's {@link EventStore} bean, typed with the
 * definition's generics so it can be injected as {@code DeciderRepository<OrderCommand, OrderEvent, OrderState>}.
 * A bean of that name the application declares itself is left alone. Definitions are not instantiated early.
 */
final class RepositoryRegistrar implements BeanFactoryPostProcessor {
    @Override
    @SuppressWarnings("rawtypes")
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (!(beanFactory instanceof BeanDefinitionRegistry registry)) {
            return;
        }
        for (String name : beanFactory.getBeanNamesForType(DeciderDefinition.class, true, false)) {
            register(beanFactory, registry, name, DeciderDefinition.class, DeciderRepository.class,
                    (DeciderDefinition d) -> decider(beanFactory, d));
        }
        for (String name : beanFactory.getBeanNamesForType(AggregateDefinition.class, true, false)) {
            register(beanFactory, registry, name, AggregateDefinition.class, AggregateRootRepository.class,
                    (AggregateDefinition a) -> aggregate(beanFactory, a));
        }
    }

    private static <D> void register(ConfigurableListableBeanFactory beanFactory, BeanDefinitionRegistry registry,
                                     String definitionName, Class<D> definitionType, Class<?> repositoryType,
                                     Function<D, Object> create) {
        ResolvableType declared = ResolvableType.NONE;
        BeanDefinition definition = beanFactory.getMergedBeanDefinition(definitionName);
        if (definition instanceof RootBeanDefinition root) {
            declared = root.getResolvableType().as(definitionType);
        }
        ResolvableType target = declared == ResolvableType.NONE || declared.hasUnresolvableGenerics()
                ? ResolvableType.forClass(repositoryType)
                : ResolvableType.forClassWithGenerics(repositoryType, declared.getGenerics());
        String repositoryName = definitionName + "Repository";
        if (registry.containsBeanDefinition(repositoryName)) {
            return;
        }
        RootBeanDefinition repository = new RootBeanDefinition();
        repository.setTargetType(target);
        repository.setInstanceSupplier(() -> create.apply(definitionType.cast(beanFactory.getBean(definitionName))));
        repository.setDependsOn(definitionName);
        registry.registerBeanDefinition(repositoryName, repository);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object decider(ConfigurableListableBeanFactory beanFactory, DeciderDefinition d) {
        return DeciderRepository.builder(beanFactory.getBean(EventStore.class),
                beanFactory.getBean(EventSerializer.class), d.category(), d.eventType(), d.decider()).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object aggregate(ConfigurableListableBeanFactory beanFactory, AggregateDefinition a) {
        return AggregateRootRepository.builder(beanFactory.getBean(EventStore.class),
                beanFactory.getBean(EventSerializer.class), a.category(), a.eventType(), a.factory()).build();
    }
}
