package dev.relato.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The span tree of an append and of the projection that handles its event, joined through the event's metadata. */
class RelatoTracingTest {
    sealed interface Ledger {
        record Deposited(int amount) implements Ledger {
        }

        record Audited(int amount) implements Ledger {
        }
    }

    private static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Ledger.class).build());

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    private final RelatoTracing tracing = RelatoTracing.of(sdk);
    private final InMemoryEventStore store = InMemoryEventStore.builder().observer(tracing).build();

    @AfterEach
    void close() {
        store.close();
        sdk.close();
    }

    private SpanData span(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + exporter.getFinishedSpanItems()));
    }

    @Test
    void aProjectionHandlesAnEventInTheTraceOfTheRequestThatAppendedIt() {
        StreamId account = StreamId.of("Account", "a-1");
        Span request = sdk.getTracer("test").spanBuilder("POST /deposits").setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope ignored = request.makeCurrent()) {
            store.append(account, ExpectedVersion.noStream(), List.of(SERIALIZER.serialize(new Ledger.Deposited(5))));
        } finally {
            request.end();
        }
        RecordedEvent stored = store.read(account).get(0);
        assertThat(stored.metadata().get(MetadataCarrier.TRACEPARENT)).hasValueSatisfying(traceparent ->
                assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"));

        Projection<StreamId> auditor = Projection.<StreamId>named("auditor").on(Ledger.Deposited.class,
                (audit, e, rec) -> store.append(audit, ExpectedVersion.any(),
                        List.of(SERIALIZER.serialize(new Ledger.Audited(e.amount()))))).build();
        ProjectionRunner.builder(auditor, store, SERIALIZER)
                .context(StreamId.of("Audit", "all"), new InMemoryCheckpointStore()).catchUp();

        SpanData server = span("POST /deposits");
        SpanData append = span("append Account");
        SpanData handle = span("handle auditor");
        SpanData audit = span("append Audit");
        assertThat(append.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(append.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(append.getAttributes().get(RelatoTracing.STREAM)).isEqualTo("Account-a-1");
        assertThat(append.getAttributes().get(RelatoTracing.OUTCOME)).isEqualTo("succeeded");
        assertThat(stored.metadata().get(MetadataCarrier.TRACEPARENT)).get().asString()
                .contains(append.getTraceId(), append.getSpanId());
        assertThat(handle.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(handle.getParentSpanId()).isEqualTo(append.getSpanId());
        assertThat(handle.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(handle.getLinks()).extracting(l -> l.getSpanContext().getSpanId()).containsExactly(append.getSpanId());
        assertThat(handle.getAttributes().get(RelatoTracing.POSITION)).isEqualTo(stored.position());
        assertThat(audit.getParentSpanId()).as("an append by the handler joins the trace")
                .isEqualTo(handle.getSpanId());
        assertThat(audit.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(span("load Account").getAttributes().get(RelatoTracing.EVENTS)).isEqualTo(1L);
    }

    @Test
    void aConflictEndsItsSpanWithAnErrorAndTheCommandHookIsCurrentWhileItRuns() {
        StreamId account = StreamId.of("Account", "a-2");
        Observation command = tracing.command("Account", "Deposit");
        store.append(account, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{\"amount\":1}")));
        assertThatThrownBy(() -> store.append(account, ExpectedVersion.noStream(),
                List.of(EventData.of("Deposited", "{\"amount\":1}")))).isInstanceOf(WrongExpectedVersionException.class);
        command.end(Outcome.SUCCEEDED, 1);

        SpanData commandSpan = span("command Account Deposit");
        List<SpanData> appends = exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("append Account")).toList();
        assertThat(appends).hasSize(2).allSatisfy(s -> assertThat(s.getParentSpanId())
                .isEqualTo(commandSpan.getSpanId()));
        assertThat(appends.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(appends.get(1).getAttributes().get(RelatoTracing.OUTCOME)).isEqualTo("conflict");
        assertThat(Span.current().getSpanContext().isValid()).as("the command's scope is closed").isFalse();
    }

    record Deposit(String account, int amount) {
    }

    @Test
    void aCommandSentThroughTheBusIsASpanAroundItsAppendsEndedWithItsOutcome() {
        CommandBus bus = CommandBus.builder(store).handler(Deposit.class, (deposit, context) -> {
            if (deposit.amount() <= 0) {
                throw new IllegalStateException("a deposit must be positive");
            }
            context.store().append(StreamId.of("Account", deposit.account()), ExpectedVersion.any(),
                    List.of(SERIALIZER.serialize(new Ledger.Deposited(deposit.amount()))));
        }).build();
        Command<Deposit> deposit = Command.of(new Deposit("a-3", 5));

        bus.send(deposit);
        assertThatThrownBy(() -> bus.send(new Deposit("a-3", 0))).isInstanceOf(IllegalStateException.class);

        List<SpanData> commands = exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("command none Deposit")).toList();
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0).getAttributes().get(RelatoTracing.OUTCOME)).isEqualTo("succeeded");
        assertThat(commands.get(0).getAttributes().get(RelatoTracing.EVENTS)).isEqualTo(1L);
        assertThat(span("append Account").getParentSpanId()).isEqualTo(commands.get(0).getSpanId());
        assertThat(commands.get(1).getAttributes().get(RelatoTracing.OUTCOME)).isEqualTo("failed");
        assertThat(commands.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(commands.get(1).getEvents()).extracting(e -> e.getName()).contains("exception");
    }
}
