/**
 * Micrometer meters for Relato's stores, repositories and projection runners. {@link
 * dev.relato.micrometer.RelatoMetrics} is the one entry point: an observer to give the stores' builders, and the
 * binder of projection runners' gauges.
 */
@NullMarked
package dev.relato.micrometer;

import org.jspecify.annotations.NullMarked;
