/** The Orders service on Spring Boot: Spring MVC over the Relato starter, on SQLite or PostgreSQL. */
@NullMarked
package dev.relato.examples.spring;

import org.jspecify.annotations.NullMarked;
