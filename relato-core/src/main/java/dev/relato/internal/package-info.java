/**
 * Rules shared by Relato's modules and kept in one place: what text may be stored
 * ({@link dev.relato.internal.Text}), the JSON limits every reader enforces and every writer checks
 * ({@link dev.relato.internal.JsonLimits}), and the serializer's way to build events from JSON it wrote itself
 * ({@link dev.relato.internal.Trusted}). Not part of the API: exported to Relato's modules only.
 */
@NullMarked
package dev.relato.internal;

import org.jspecify.annotations.NullMarked;
