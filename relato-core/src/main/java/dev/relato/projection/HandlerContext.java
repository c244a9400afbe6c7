package dev.relato.projection;

import dev.relato.RecordedEvent;
import org.slf4j.MDC;

/**
 * The SLF4J MDC entries set while a projection handler runs, so that its log lines name the projection, the
 * stream and the conversation: {@value #PROJECTION}, {@value #STREAM} and {@value #CORRELATION_ID}. Closing
 * puts back what the thread had before.
 */
final class HandlerContext implements AutoCloseable {
    static final String PROJECTION = "relato.projection";
    static final String STREAM = "relato.stream";
    static final String CORRELATION_ID = "relato.correlationId";

    private final String projection;
    private final String stream;
    private final String correlationId;

    private HandlerContext() {
        this.projection = MDC.get(PROJECTION);
        this.stream = MDC.get(STREAM);
        this.correlationId = MDC.get(CORRELATION_ID);
    }

    static HandlerContext enter(String projection, RecordedEvent event) {
        HandlerContext previous = new HandlerContext();
        MDC.put(PROJECTION, projection);
        MDC.put(STREAM, event.streamId().toString());
        put(CORRELATION_ID, event.metadata().correlationId().orElse(null));
        return previous;
    }

    @Override
    public void close() {
        put(PROJECTION, projection);
        put(STREAM, stream);
        put(CORRELATION_ID, correlationId);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
