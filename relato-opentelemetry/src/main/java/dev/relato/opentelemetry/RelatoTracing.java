package dev.relato.opentelemetry;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import dev.relato.spi.Json;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Relato's spans in OpenTelemetry: the one entry point of this module. Give it to each store's builder as its
 * observer ({@code PostgresEventStore.builder().observer(tracing)}; combine with metrics through
 * {@link RelatoObserver#of}).
 *
 * <ul>
 *   <li>{@code append <category>} (producer): one per append, child of the caller's current span; its W3C trace
 *       context is written into every appended event's metadata ({@code $traceparent}, {@code $tracestate}).</li>
 *   <li>{@code load <category>} (internal): one per stream read.</li>
 *   <li>{@code handle <projection>} (consumer): one per event a projection handles, the child of the append that
 *       stored the event (its context read back from the metadata) and linked to it, so that one trace shows a
 *       request, its events and their asynchronous effects. Current while the handler runs, so that what the
 *       handler appends joins the trace.</li>
 *   <li>{@code command <category> <command>} (internal): the hook for command handling, current while the
 *       command is handled.</li>
 * </ul>
 *
 * <p>Attributes: {@code relato.store}, {@code relato.category}, {@code relato.stream}, {@code relato.events},
 * {@code relato.outcome}, {@code relato.projection}, {@code relato.position}, {@code relato.event.type}. A span whose
 * outcome is neither succeeded nor an idempotent retry has status ERROR. Thread-safe; a span is ended on the
 * thread that started it.
 */
public final class RelatoTracing implements RelatoObserver {
    /** The instrumentation scope name of Relato's tracer. */
    public static final String INSTRUMENTATION = "dev.relato";

    static final AttributeKey<String> STORE = AttributeKey.stringKey("relato.store");
    static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("relato.category");
    static final AttributeKey<String> STREAM = AttributeKey.stringKey("relato.stream");
    static final AttributeKey<Long> EVENTS = AttributeKey.longKey("relato.events");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("relato.outcome");
    static final AttributeKey<String> PROJECTION = AttributeKey.stringKey("relato.projection");
    static final AttributeKey<Long> POSITION = AttributeKey.longKey("relato.position");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("relato.event.type");
    static final AttributeKey<String> COMMAND = AttributeKey.stringKey("relato.command");

    private final Tracer tracer;
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
    /** Span names by category or projection (bounded sets), so that starting a span builds no string. */
    private final Map<String, String> appendNames = new ConcurrentHashMap<>();
    private final Map<String, String> loadNames = new ConcurrentHashMap<>();
    private final Map<String, String> handleNames = new ConcurrentHashMap<>();

    private RelatoTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Relato's spans through {@code openTelemetry}'s tracer provider. */
    public static RelatoTracing of(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "OpenTelemetry must not be null");
        return new RelatoTracing(openTelemetry.getTracer(INSTRUMENTATION));
    }

    @Override
    public Observation append(String store, StreamId stream, int events) {
        // attributes on the builder: no lock per attribute (as on a started span), and samplers see them
        Span span = tracer.spanBuilder(name(appendNames, "append ", stream.category()))
                .setSpanKind(SpanKind.PRODUCER).setAttribute(STORE, store).setAttribute(CATEGORY, stream.category())
                .setAttribute(STREAM, stream.toString()).setAttribute(EVENTS, (long) events).startSpan();
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return new SpanObservation(span, null, events); // no SDK, or one that makes no spans: nothing to carry
        }
        if (context.getTraceState().isEmpty()) { // the usual case: traceparent alone, formatted as the propagator does
            // its metadata made here with its JSON text: a hex traceparent needs no check, copy or encoding per append
            Metadata carried = Json.metadataOf(MetadataCarrier.TRACEPARENT,
                    "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex());
            return new CarryingObservation(span, events, carried, carried.entries());
        }
        Map<String, String> carried = new LinkedHashMap<>(4);
        propagator.inject(Context.root().with(span), carried, MetadataCarrier.SETTER);
        return new CarryingObservation(span, events, null, carried);
    }

    @Override
    public Observation load(String store, StreamId stream) {
        Span span = tracer.spanBuilder(name(loadNames, "load ", stream.category())).setSpanKind(SpanKind.INTERNAL)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(STORE, store).setAttribute(CATEGORY, stream.category())
                    .setAttribute(STREAM, stream.toString());
        }
        return new SpanObservation(span, null, 0);
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        SpanBuilder builder = tracer.spanBuilder(name(handleNames, "handle ", projection))
                .setSpanKind(SpanKind.CONSUMER);
        SpanContext cause = event.metadata().entries().containsKey(MetadataCarrier.TRACEPARENT)
                ? Span.fromContext(propagator.extract(Context.root(), event.metadata(), MetadataCarrier.GETTER))
                        .getSpanContext()
                : SpanContext.getInvalid();
        if (cause.isValid()) {
            builder.setParent(Context.root().with(Span.wrap(cause))).addLink(cause);
        } else {
            builder.setParent(Context.current());
        }
        Span span = builder.startSpan();
        if (span.isRecording()) {
            span.setAttribute(PROJECTION, projection).setAttribute(CATEGORY, event.streamId().category())
                    .setAttribute(STREAM, event.streamId().toString()).setAttribute(POSITION, event.position())
                    .setAttribute(EVENT_TYPE, event.type());
        }
        return new SpanObservation(span, span.makeCurrent(), 0);
    }

    @Override
    public Observation command(String category, String command) {
        Span span = tracer.spanBuilder("command " + category + " " + command).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(CATEGORY, category).setAttribute(COMMAND, command).startSpan();
        return new SpanObservation(span, span.makeCurrent(), 0);
    }

    private static String name(Map<String, String> names, String prefix, String of) {
        String name = names.get(of);
        return name != null ? name : names.computeIfAbsent(of, o -> prefix + o);
    }

    /** Ends its span with the outcome, leaving the span's scope first if it made the span current. */
    private static class SpanObservation implements Observation {
        private final Span span;
        private final Scope scope;
        /** The {@link #EVENTS} attribute the span started with (0: none). */
        private final int events;

        SpanObservation(Span span, Scope scope, int events) {
            this.span = span;
            this.scope = scope;
            this.events = events;
        }

        @Override
        public void failed(Throwable failure) {
            if (span.isRecording()) {
                span.recordException(failure);
            }
            end(Outcome.of(failure), 0);
        }

        @Override
        public void end(Outcome outcome, int count) {
            if (scope != null) {
                scope.close();
            }
            // no isRecording() first: a span that records nothing ignores these, and each call on a recording span
            // takes its lock once
            span.setAttribute(OUTCOME, outcome.tag());
            if (count > 0 && count != events) {
                span.setAttribute(EVENTS, (long) count);
            }
            if (outcome != Outcome.SUCCEEDED && outcome != Outcome.RETRIED) {
                span.setStatus(StatusCode.ERROR, outcome.tag());
            }
            span.end();
        }
    }

    /**
     * An append's span, whose trace context each appended event's metadata carries. An event without metadata
     * (the usual case) gets the metadata of the context alone, made once per append; events that share other
     * metadata get it merged with the context once while they share it. Used on the appending thread only.
     */
    private static final class CarryingObservation extends SpanObservation {
        private final Map<String, String> entries;
        /** The metadata of the context alone; made on first use if not given. */
        private Metadata alone;
        private Metadata lastGiven;
        private Metadata lastCarried;

        CarryingObservation(Span span, int events, Metadata alone, Map<String, String> entries) {
            super(span, null, events);
            this.alone = alone;
            this.entries = entries;
        }

        @Override
        public Metadata carry(Metadata metadata) {
            if (metadata.isEmpty()) {
                if (alone == null) {
                    alone = new Metadata(entries);
                }
                return alone;
            }
            if (metadata != lastGiven) {
                Map<String, String> merged = new LinkedHashMap<>(metadata.entries());
                merged.putAll(entries);
                lastCarried = new Metadata(merged);
                lastGiven = metadata;
            }
            return lastCarried;
        }
    }

    @Override
    public String toString() {
        return "RelatoTracing";
    }
}
