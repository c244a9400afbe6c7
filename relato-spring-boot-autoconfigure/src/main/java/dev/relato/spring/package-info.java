/**
 * Spring Boot auto-configuration for Relato: the event store chosen by {@code relato.store}, the serializer, a
 * repository for every {@link dev.relato.spring.DeciderDefinition} and {@link dev.relato.spring.AggregateDefinition}
 * bean, the projection beans run by {@link dev.relato.spring.RelatoProjections}, appends that join Spring's
 * transactions, and actuator support. The only package of Relato that uses Spring.
 */
@NullMarked
package dev.relato.spring;

import org.jspecify.annotations.NullMarked;
