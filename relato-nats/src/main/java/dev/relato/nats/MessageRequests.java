package dev.relato.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stored-message reads through the JetStream API ({@code STREAM.MSG.GET}, answered by the stream leader, so
 * they see every acknowledged write) sent without waiting, so that several can travel at once: the
 * lookups an append makes, the messages a page of the log needs, the walkers of a stream read. These gets are
 * the only way the stores read messages: no consumer is created for a read. Thread-safe.
 *
 * <p>A get nobody answers is sent again within its timeout: after a quarter of the timeout (from 250 ms to 2 s)
 * without an answer, or 100 ms after a "no responders" answer. A stream whose leader has just died, or has just been
 * created and is still electing one, drops gets or has nobody to answer them; resending lets the read succeed as
 * soon as a leader answers, instead of after the whole timeout. A get changes nothing, so sending it twice is
 * harmless.
 */
final class MessageRequests {
    private static final Duration NO_RESPONDERS_PAUSE = Duration.ofMillis(100);

    private final Connection connection;
    private final Duration timeout;
    private final Duration resendAfter;

    MessageRequests(Connection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
        this.resendAfter = Duration.ofMillis(Math.max(250, Math.min(2000, timeout.toMillis() / 4)));
    }

    /** Asks for the last message of {@code subject} in {@code stream}. */
    CompletableFuture<Message> lastOf(String stream, String subject) {
        return send(stream, "{\"last_by_subj\":\"" + subject + "\"}");
    }

    /** Asks for the first message of {@code subject} in {@code stream} at or after {@code sequence}. */
    CompletableFuture<Message> nextOf(String stream, String subject, long sequence) {
        return send(stream, "{\"seq\":" + sequence + ",\"next_by_subj\":\"" + subject + "\"}");
    }

    /** Asks for the message at {@code sequence} of {@code stream}. */
    CompletableFuture<Message> at(String stream, long sequence) {
        return send(stream, "{\"seq\":" + sequence + "}");
    }

    private CompletableFuture<Message> send(String stream, String request) {
        CompletableFuture<Message> answer = new CompletableFuture<>();
        attempt("$JS.API.STREAM.MSG.GET." + stream, request.getBytes(StandardCharsets.US_ASCII), answer,
                System.nanoTime() + timeout.toNanos());
        return answer;
    }

    /**
     * Sends the get, and again if it goes unanswered, until {@code answer} is done; at the deadline, completes it
     * with the last "no responders" answer, or as timed out.
     */
    private void attempt(String subject, byte[] body, CompletableFuture<Message> answer, long deadline) {
        long left = deadline - System.nanoTime();
        if (answer.isDone()) {
            return;
        }
        if (left <= 0) {
            answer.completeExceptionally(new TimeoutException("no answer within " + timeout));
            return;
        }
        CompletableFuture<Message> sent;
        try {
            sent = connection.requestWithTimeout(subject, body, Duration.ofNanos(Math.min(left, resendAfter.toNanos())));
        } catch (RuntimeException e) { // the connection is closed
            answer.completeExceptionally(e);
            return;
        }
        sent.whenComplete((message, error) -> {
            if (answer.isDone()) {
                return;
            }
            boolean noResponders = error == null && message != null && message.isStatusMessage()
                    && message.getStatus().getCode() == 503;
            if (error == null && message != null && (!noResponders
                    || deadline - System.nanoTime() <= NO_RESPONDERS_PAUSE.toNanos())) {
                answer.complete(message);
            } else if (error != null && !(error instanceof CancellationException || error instanceof TimeoutException)) {
                answer.completeExceptionally(error);
            } else {
                Executor resend = noResponders
                        ? CompletableFuture.delayedExecutor(NO_RESPONDERS_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
                        : ForkJoinPool.commonPool();
                resend.execute(() -> attempt(subject, body, answer, deadline));
            }
        });
    }

    /**
     * Waits for an answer.
     *
     * @return the message, or empty if there is none
     * @throws IOException           if no answer came in time or the request failed
     * @throws JetStreamApiException if JetStream answered with another error
     */
    Optional<MessageInfo> await(CompletableFuture<Message> answer)
            throws IOException, JetStreamApiException, InterruptedException {
        Message message;
        try {
            message = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(false);
            throw new IOException("JetStream did not answer within " + timeout, e);
        } catch (ExecutionException e) {
            throw new IOException("JetStream request failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new IOException("JetStream request was cancelled (timed out or no server answered)", e);
        }
        if (message.isStatusMessage()) {
            throw new IOException("JetStream answered with status " + message.getStatus());
        }
        MessageInfo info = new MessageInfo(message);
        if (info.hasError()) {
            if (info.getApiErrorCode() == NatsSupport.NO_MESSAGE_FOUND) {
                return Optional.empty();
            }
            throw new JetStreamApiException(info.getErrorObject());
        }
        return Optional.of(info);
    }
}
