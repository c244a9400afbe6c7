package dev.relato.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
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
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Test
    void eachEventOfABatchCarriesTheAppendsContextBesideItsOwnMetadata() {
        StreamId account = StreamId.of("Account", "a-4");
        store.append(account, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{\"amount\":1}"),
                EventData.of("Deposited", "{\"amount\":2}").withMetadata(Metadata.empty().withCorrelationId("c-1")),
                EventData.of("Deposited", "{\"amount\":3}")));

        SpanData append = span("append Account");
        assertThat(append.getAttributes().get(RelatoTracing.EVENTS)).isEqualTo(3L);
        List<RecordedEvent> stored = store.read(account);
        assertThat(stored).allSatisfy(e -> assertThat(e.metadata().get(MetadataCarrier.TRACEPARENT)).get()
                .asString().contains(append.getTraceId(), append.getSpanId()));
        assertThat(stored.get(1).metadata().correlationId()).contains("c-1");
        assertThat(stored.get(0).metadata().correlationId()).isEmpty();
    }

    @Test
    void anUnsampledAppendCarriesItsDecisionAndRecordsNothing() {
        try (OpenTelemetrySdk unsampled = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOff()).addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
             InMemoryEventStore observed = InMemoryEventStore.builder().observer(RelatoTracing.of(unsampled)).build()) {
            StreamId account = StreamId.of("Account", "a-5");
            observed.append(account, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{}")));

            assertThat(exporter.getFinishedSpanItems()).isEmpty();
            String traceparent = observed.read(account).get(0).metadata().get(MetadataCarrier.TRACEPARENT).orElseThrow();
            assertThat(Integer.parseInt(traceparent.substring(traceparent.length() - 2), 16) & 1)
                    .as("the sampled flag is off, so that the handlers' spans are not sampled either").isZero();
        }
    }

    @Test
    void theCarriedContextIsWhatTheW3cPropagatorWrites() {
        StreamId plain = StreamId.of("Account", "a-7");
        StreamId stated = StreamId.of("Account", "a-8");
        store.append(plain, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{}")));
        Span parent = Span.wrap(SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.builder().put("vendor", "v1").build()));
        try (Scope ignored = Context.root().with(parent).makeCurrent()) {
            store.append(stated, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{}")));
        }

        for (StreamId stream : List.of(plain, stated)) {
            SpanData append = exporter.getFinishedSpanItems().stream()
                    .filter(s -> stream.toString().equals(s.getAttributes().get(RelatoTracing.STREAM))).findFirst()
                    .orElseThrow();
            Map<String, String> expected = new LinkedHashMap<>();
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(append.getSpanContext())),
                    expected, (carrier, key, value) -> carrier.put("$" + key, value));
            assertThat(store.read(stream).get(0).metadata().entries()).isEqualTo(expected);
        }
        assertThat(store.read(stated).get(0).metadata().get(MetadataCarrier.TRACESTATE)).contains("vendor=v1");
    }

    @Test
    void withoutAnSdkNothingIsCarried() {
        try (InMemoryEventStore observed = InMemoryEventStore.builder()
                .observer(RelatoTracing.of(OpenTelemetry.noop())).build()) {
            StreamId account = StreamId.of("Account", "a-6");
            observed.append(account, ExpectedVersion.noStream(), List.of(EventData.of("Deposited", "{}")));
            assertThat(observed.read(account).get(0).metadata().isEmpty()).isTrue();
        }
    }
}
