package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.ErrorClassifier;
import dev.relato.ErrorClassifier.Kind;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import io.nats.client.Connection.Status;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The allow-list of transient NATS failures, and how a classifier changes the verdict. No server needed. */
class NatsFailuresTest {

    private static JetStreamApiException apiError(int code, int apiCode, String description) {
        String json = "{\"type\":\"io.nats.jetstream.api.v1.stream_msg_get_response\",\"error\":{\"code\":" + code
                + ",\"err_code\":" + apiCode + ",\"description\":\"" + description + "\"}}";
        NatsMessage answer = NatsMessage.builder().subject("reply").data(json.getBytes(StandardCharsets.UTF_8)).build();
        return new JetStreamApiException(new MessageInfo(answer, "relato", false).getErrorObject());
    }

    @Test
    void timeoutsIoAndAnUnavailableOrExhaustedServerAreTransient() {
        assertThat(NatsFailures.verdict(new IOException("Timeout or no response"), Status.CONNECTED)).isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(new SocketTimeoutException(), Status.CONNECTED)).isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(new TimeoutException(), Status.CONNECTED)).isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(new JetStreamStatusException(new io.nats.client.support.Status(503, "No Responders")),
                Status.CONNECTED)).isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(apiError(503, 10008, "JetStream system temporarily unavailable"), Status.CONNECTED))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(apiError(503, 10023, "insufficient resources"), Status.CONNECTED))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(apiError(500, 10047, "insufficient storage resources available"), Status.CONNECTED))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(new IllegalStateException("Connection is Closed"), Status.CLOSED))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(NatsFailures.verdict(new IllegalStateException("Unable to queue any more messages during reconnect"),
                Status.RECONNECTING)).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void everythingElseIsPermanent() {
        assertThat(NatsFailures.verdict(apiError(400, 10109, "invalid operation on sealed stream"), Status.CONNECTED))
                .isEqualTo(Kind.PERMANENT);
        assertThat(NatsFailures.verdict(apiError(500, 10052, "stream configuration invalid"), Status.CONNECTED))
                .isEqualTo(Kind.PERMANENT);
        assertThat(NatsFailures.verdict(new JetStreamStatusException(new io.nats.client.support.Status(409, "Consumer Deleted")),
                Status.CONNECTED)).isEqualTo(Kind.PERMANENT);
        assertThat(NatsFailures.verdict(new IllegalStateException("refused"), Status.CONNECTED)).isEqualTo(Kind.PERMANENT);
        assertThat(NatsFailures.verdict(new NullPointerException(), Status.CONNECTED)).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void theExceptionFollowsTheClassifierAndOnlyTransientFailuresInviteARetry() {
        NatsFailures byDefault = new NatsFailures(ErrorClassifier.storeDefault(), null);
        assertThat(byDefault.translate("append", new IOException("timeout"), "; retry it"))
                .isInstanceOf(StoreUnavailableException.class).hasMessageEndingWith("; retry it");
        assertThat(byDefault.translate("append", apiError(400, 10109, "invalid operation on sealed stream"), "; retry it"))
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("JetStream error 10109 (invalid operation on sealed stream)")
                .hasMessageNotContaining("retry it");

        NatsFailures sealedIsTransient = new NatsFailures((error, verdict) -> error instanceof JetStreamApiException api
                && api.getApiErrorCode() == 10109 ? Kind.TRANSIENT : verdict, null);
        assertThat(sealedIsTransient.translate("append", apiError(400, 10109, "invalid operation on sealed stream")))
                .isInstanceOf(StoreUnavailableException.class);
        NatsFailures ioIsPermanent = new NatsFailures((error, verdict) -> Kind.PERMANENT, null);
        assertThat(ioIsPermanent.translate("read", new IOException("timeout"))).isInstanceOf(StoreFailureException.class);
    }

    @Test
    void anInterruptedCallIsReportedAsUnavailableAndKeepsTheInterrupt() {
        try {
            assertThat(new NatsFailures(ErrorClassifier.storeDefault(), null)
                    .translate("read", new InterruptedException(), ""))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
