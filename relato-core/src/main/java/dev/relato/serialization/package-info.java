/**
 * From event objects to stored JSON and back.
 *
 * <ul>
 *   <li>{@link dev.relato.serialization.EventTypes}: the registry mapping each event class to a stable
 *       type name and its current schema version ({@link dev.relato.serialization.EventType} on the
 *       class, or explicit), registering a whole sealed hierarchy in one call;</li>
 *   <li>{@link dev.relato.serialization.EventCodec}: objects to JSON and back,
 *       {@link dev.relato.serialization.JacksonEventCodec} by default;</li>
 *   <li>{@link dev.relato.serialization.Upcaster}: one step of schema evolution on read, chained
 *       v1 → v2 → v3, possibly renaming the type;</li>
 *   <li>{@link dev.relato.serialization.EventSerializer}: the three together, producing
 *       {@link dev.relato.EventData} to append and decoding {@link dev.relato.RecordedEvent}s, with
 *       {@link dev.relato.EventDecodingException} naming the record when that is impossible.</li>
 * </ul>
 *
 * <p><b>JSON is Jackson's.</b> Jackson is the JSON library of Relato's API, by decision: upcasters transform a
 * Jackson {@code JsonNode}, {@link dev.relato.serialization.EventCodec} reads trees for them, and the default codec
 * is a Jackson {@code ObjectMapper} ({@link dev.relato.serialization.JacksonEventCodec#defaultMapper()}). Relato
 * needs {@code jackson-databind} (with the {@code jackson-core} and {@code jackson-annotations} it brings) and
 * {@code jackson-datatype-jsr310} for {@code java.time} values; records need no further module. Another
 * {@code EventCodec} can replace the default, but it too hands upcasters Jackson trees. JSON the serializer wrote
 * with its codec is not parsed a second time to check it. On the module path, a module whose events or snapshot
 * states Jackson reads opens their packages to {@code com.fasterxml.jackson.databind}.
 *
 * <p>Everything here is immutable (builders aside) and thread-safe.
 */
@NullMarked
package dev.relato.serialization;

import org.jspecify.annotations.NullMarked;
