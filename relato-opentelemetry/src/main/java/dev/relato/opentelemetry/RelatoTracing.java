package dev.relato.opentelemetry;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
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
        Span span = tracer.spanBuilder("append " + stream.category()).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(STORE, store).setAttribute(CATEGORY, stream.category())
                .setAttribute(STREAM, stream.toString()).setAttribute(EVENTS, (long) events).startSpan();
        Map<String, String> carried = new LinkedHashMap<>(4);
        propagator.inject(Context.current().with(span), carried, MetadataCarrier.SETTER);
        return new SpanObservation(span, null) {
            @Override
            public Metadata carry(Metadata metadata) {
                Metadata with = metadata;
                for (Map.Entry<String, String> e : carried.entrySet()) {
                    with = with.with(e.getKey(), e.getValue());
                }
                return with;
            }
        };
    }

    @Override
    public Observation load(String store, StreamId stream) {
        Span span = tracer.spanBuilder("load " + stream.category()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(STORE, store).setAttribute(CATEGORY, stream.category())
                .setAttribute(STREAM, stream.toString()).startSpan();
        return new SpanObservation(span, null);
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        SpanBuilder builder = tracer.spanBuilder("handle " + projection).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(PROJECTION, projection).setAttribute(CATEGORY, event.streamId().category())
                .setAttribute(STREAM, event.streamId().toString()).setAttribute(POSITION, event.position())
                .setAttribute(EVENT_TYPE, event.type());
        Context appended = propagator.extract(Context.root(), event.metadata(), MetadataCarrier.GETTER);
        SpanContext cause = Span.fromContext(appended).getSpanContext();
        if (cause.isValid()) {
            builder.setParent(appended).addLink(cause);
        } else {
            builder.setParent(Context.current());
        }
        Span span = builder.startSpan();
        return new SpanObservation(span, span.makeCurrent());
    }

    @Override
    public Observation command(String category, String command) {
        Span span = tracer.spanBuilder("command " + category + " " + command).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(CATEGORY, category).setAttribute(COMMAND, command).startSpan();
        return new SpanObservation(span, span.makeCurrent());
    }

    /** Ends its span with the outcome, leaving the span's scope first if it made the span current. */
    private static class SpanObservation implements Observation {
        private final Span span;
        private final Scope scope;

        SpanObservation(Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
        }

        @Override
        public void failed(Throwable failure) {
            span.recordException(failure);
            end(Outcome.of(failure), 0);
        }

        @Override
        public void end(Outcome outcome, int count) {
            if (scope != null) {
                scope.close();
            }
            span.setAttribute(OUTCOME, outcome.tag());
            if (count > 0) {
                span.setAttribute(EVENTS, (long) count);
            }
            if (outcome != Outcome.SUCCEEDED && outcome != Outcome.RETRIED) {
                span.setStatus(StatusCode.ERROR, outcome.tag());
            }
            span.end();
        }
    }

    @Override
    public String toString() {
        return "RelatoTracing";
    }
}
