/**
 * OpenTelemetry spans for Relato's appends, stream loads, command handling and projection handling, with the W3C
 * trace context carried in each event's metadata from the append to the handlers of the event.
 * {@link dev.relato.opentelemetry.RelatoTracing} is the one entry point. Only the OpenTelemetry API is a dependency:
 * the application brings the SDK and its exporter.
 */
@NullMarked
package dev.relato.opentelemetry;

import org.jspecify.annotations.NullMarked;
