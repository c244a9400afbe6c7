/**
 * The benchmark harness: each workload run on every store, for Relato and for a plain-JDBC twin doing the same
 * work by hand on the same database, with the medians and their ratios printed as a table
 * ({@link dev.relato.bench.BenchMain}). Timings are reported, never asserted.
 */
@NullMarked
package dev.relato.bench;

import org.jspecify.annotations.NullMarked;
