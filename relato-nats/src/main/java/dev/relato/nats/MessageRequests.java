package dev.relato.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stored-message reads through the JetStream API ({@code STREAM.MSG.GET}, answered by the stream leader, so
 * they see every acknowledged write) sent without waiting, so that several can travel at once: the
 * lookups an append makes, the messages a page of the log needs, the walkers of a stream read. These gets are
 * the only way the stores read messages: no consumer is created for a read. Thread-safe.
 */
final class MessageRequests {
    private final Connection connection;
    private final Duration timeout;

    MessageRequests(Connection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
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
        return connection.requestWithTimeout("$JS.API.STREAM.MSG.GET." + stream,
                request.getBytes(StandardCharsets.US_ASCII), timeout);
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
        } catch (java.util.concurrent.CancellationException e) {
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
