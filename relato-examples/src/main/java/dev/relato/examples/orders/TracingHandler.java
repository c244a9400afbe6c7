package dev.relato.examples.orders;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A server span per HTTP request: the caller's trace context ({@code traceparent}, {@code tracestate}) is read from
 * the request headers through the OpenTelemetry instance's propagators, and the span is current while the wrapped
 * handler runs, so the spans Relato starts for the request (appends, loads) are its children. The span ends when
 * the response is complete, with the status code; a 5xx answer or a failed response marks it ERROR. With a no-op
 * OpenTelemetry nothing is recorded. Thread-safe.
 */
final class TracingHandler extends Handler.Wrapper {
    static final String INSTRUMENTATION = "dev.relato.examples.orders";
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<HttpFields> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields carrier) {
            return carrier.stream().map(HttpField::getName).toList();
        }

        @Override
        public String get(HttpFields carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    TracingHandler(OpenTelemetry openTelemetry, Handler handler) {
        super(handler);
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Context parent = propagator.extract(Context.root(), request.getHeaders(), HEADERS);
        String method = request.getMethod();
        Span span = tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method).setAttribute(PATH, Request.getPathInContext(request)).startSpan();
        Callback ending = new Callback() {
            @Override
            public void succeeded() {
                end(response.getStatus(), null);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                end(response.getStatus(), failure);
                callback.failed(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }

            private void end(int status, Throwable failure) {
                span.setAttribute(STATUS, (long) status);
                if (failure != null) {
                    span.recordException(failure);
                    span.setStatus(StatusCode.ERROR);
                } else if (status >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            }
        };
        boolean handled;
        try (Scope ignored = parent.with(span).makeCurrent()) {
            handled = super.handle(request, response, ending);
        } catch (Exception | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            span.end();
            throw e;
        }
        if (!handled) {
            span.setAttribute(STATUS, 404L);
            span.end();
        }
        return handled;
    }
}
