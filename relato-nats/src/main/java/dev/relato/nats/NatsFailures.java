package dev.relato.nats;

import dev.relato.ErrorClassifier.Kind;
import dev.relato.ErrorClassifier;
import dev.relato.RelatoException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The NATS stores' failure model: an allow-list of transient conditions, everything else permanent. Failures
 * of the client or server become {@link StoreUnavailableException} when transient and
 * {@link StoreFailureException} otherwise, after the user's {@link ErrorClassifier} has had its say. Thread-safe.
 *
 * <p>Transient: an I/O error or timeout of the client ({@link IOException}, which is also how jnats reports a
 * request nobody answered or a publish without responders); a JetStream status 503 (no responders) or 408
 * (request timeout); the client refusing work because its connection is closed, draining or reconnecting; and
 * the JetStream API errors of a server or cluster that is temporarily unable to serve or out of resources
 * ({@link #TRANSIENT_API_ERRORS}). Everything else, a JetStream error such as a sealed stream or a refused
 * configuration, is permanent and never retried. Exceptions that are not the client's (a
 * {@code NullPointerException}, say) are bugs: the stores let them propagate as themselves.
 */
final class NatsFailures {
    /**
     * JetStream API errors worth retrying: resource limits exceeded for the account (10002), system temporarily
     * unavailable (10008), insufficient resources (10023), memory resources exceeded (10028), storage resources
     * exceeded (10047), store failed (10077, how a full disk reaches the client), cluster incomplete results
     * (10004) or cannot handle the request while it elects a leader (10009), stream offline (10118).
     */
    static final Set<Integer> TRANSIENT_API_ERRORS = Set.of(10002, 10004, 10008, 10009, 10023, 10028, 10047, 10077,
            10118);

    private final ErrorClassifier classifier;
    private final Connection connection;

    NatsFailures(ErrorClassifier classifier, Connection connection) {
        this.classifier = Objects.requireNonNull(classifier, "error classifier");
        this.connection = connection;
    }

    /** The store's own verdict on a failure of the client, given the state of its connection. */
    static Kind verdict(Throwable error, Connection.Status status) {
        if (error instanceof IOException || error instanceof TimeoutException) {
            return Kind.TRANSIENT;
        }
        if (error instanceof JetStreamApiException api) {
            return TRANSIENT_API_ERRORS.contains(api.getApiErrorCode()) ? Kind.TRANSIENT : Kind.PERMANENT;
        }
        if (error instanceof JetStreamStatusException statusError) {
            int code = statusError.getStatus().getCode();
            return code == 503 || code == 408 ? Kind.TRANSIENT : Kind.PERMANENT;
        }
        if (error instanceof IllegalStateException) { // how jnats refuses work on a connection that is not up
            return status == Connection.Status.CONNECTED ? Kind.PERMANENT : Kind.TRANSIENT;
        }
        return Kind.PERMANENT;
    }

    /**
     * The exception to throw for a failure of the client while doing {@code what}.
     *
     * @param error  an {@link IOException}, {@link JetStreamApiException}, {@link InterruptedException} or an
     *               {@link IllegalStateException} of the client; a {@link RelatoException} is returned as it is
     * @param advice appended to the message of a transient failure, for example what a retry must keep
     */
    RelatoException translate(String what, Exception error, String advice) {
        if (error instanceof RelatoException relato) {
            return relato;
        }
        if (error instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new StoreUnavailableException(what + ": interrupted" + advice, error);
        }
        Connection.Status status = connection == null ? Connection.Status.CONNECTED : connection.getStatus();
        Kind kind = classifier.apply(error, verdict(error, status));
        String detail = error instanceof JetStreamApiException api
                ? "JetStream error " + api.getApiErrorCode() + " (" + api.getErrorDescription() + ")"
                : error.toString();
        return kind == Kind.TRANSIENT
                ? new StoreUnavailableException(what + " failed: " + detail + advice, error)
                : new StoreFailureException(what + " failed: " + detail + " (a permanent failure: retrying will not help)",
                        error);
    }

    /** As {@link #translate(String, Exception, String)} without advice. */
    RelatoException translate(String what, Exception error) {
        return translate(what, error, "");
    }
}
