package dev.relato.examples.orders;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body without holding a thread while the client is slow: chunks are taken as they arrive
 * (Jetty calls back when there are more), so connections that send headers and then stall cost no thread.
 *
 * <ul>
 *   <li>The whole body must arrive within the deadline, and the connection must not stay silent for the
 *       connector's idle timeout; otherwise the answer is 408 {@code request_timeout} (and the connection is
 *       closed).</li>
 *   <li>A body over {@code maxBytes} is answered 413 {@code body_too_large}, but only after the rest of it (up to
 *       {@value #MAX_DRAINED} bytes) has been read and dropped, so the client, still sending, receives the answer
 *       rather than a connection reset. A larger body (by its {@code Content-Length} or as it arrives) is answered
 *       at once and the connection closed.</li>
 * </ul>
 *
 * <p>Exactly one of the two consumers is called, once, on a thread that may block. Used by one request only.
 */
final class BodyReader implements Runnable {
    /** Most bytes read and dropped after the limit so that a 413 reaches the client. */
    static final long MAX_DRAINED = 1024 * 1024;

    private final Request request;
    private final int maxBytes;
    private final Consumer<byte[]> onBody;
    private final Consumer<HttpProblem> onProblem;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final AtomicBoolean finished = new AtomicBoolean();
    private long seen;
    private Scheduler.Task deadline;

    private BodyReader(Request request, int maxBytes, Consumer<byte[]> onBody, Consumer<HttpProblem> onProblem) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.onBody = onBody;
        this.onProblem = onProblem;
    }

    /** Starts reading; returns at once. */
    static void read(Request request, int maxBytes, Duration timeout, Consumer<byte[]> onBody,
                     Consumer<HttpProblem> onProblem) {
        BodyReader reader = new BodyReader(request, maxBytes, onBody, onProblem);
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > maxBytes + MAX_DRAINED) {
            reader.fail(tooLarge(maxBytes, true));
            return;
        }
        reader.deadline = request.getComponents().getScheduler().schedule(() -> reader.fail(new HttpProblem(408,
                "request_timeout", "the request body did not arrive within " + timeout.toSeconds() + " s",
                Map.of("Connection", "close"))), timeout.toMillis(), TimeUnit.MILLISECONDS);
        reader.run();
    }

    /** Reads what has arrived; asks to be called again when more arrives. */
    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                fail(new HttpProblem(408, "request_timeout", "the request body stopped arriving ("
                        + chunk.getFailure().getClass().getSimpleName() + ")", Map.of("Connection", "close")));
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int length = bytes.remaining();
            if (seen + length <= maxBytes) {
                byte[] copy = new byte[length];
                bytes.get(copy);
                body.write(copy, 0, length);
            }
            seen += length;
            boolean last = chunk.isLast();
            chunk.release();
            if (seen > maxBytes + MAX_DRAINED) {
                fail(tooLarge(maxBytes, true));
                return;
            }
            if (last) {
                if (seen > maxBytes) {
                    fail(tooLarge(maxBytes, false));
                } else if (finish()) {
                    onBody.accept(body.toByteArray());
                }
                return;
            }
        }
    }

    private void fail(HttpProblem problem) {
        if (finish()) {
            onProblem.accept(problem);
        }
    }

    private boolean finish() {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        if (deadline != null) {
            deadline.cancel();
        }
        return true;
    }

    private static HttpProblem tooLarge(int maxBytes, boolean close) {
        return HttpProblem.bodyTooLarge(maxBytes, close);
    }
}
