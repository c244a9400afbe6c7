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
 * <p>Everything here is immutable (builders aside) and thread-safe.
 */
package dev.relato.serialization;
