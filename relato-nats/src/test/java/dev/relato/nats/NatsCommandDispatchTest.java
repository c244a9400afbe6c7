package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.command.CommandSender;
import dev.relato.command.Receipt;
import dev.relato.command.UnknownCommandException;
import dev.relato.nats.StockModel.Count;
import dev.relato.nats.StockModel.Open;
import dev.relato.nats.StockModel.OutOfStock;
import dev.relato.nats.StockModel.Reserve;
import dev.relato.test.contract.ChildJvm;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands sent over NATS from this JVM to handlers in child JVMs ({@link CommandNode}) on the machine's nats-server:
 * the receipt comes back; a rejection arrives as the domain's type; a send times out when nobody listens; two members
 * of one queue group handle each command exactly once; bad input gets a clear answer, appends nothing and the
 * handler goes on. The tests share one stream, one subject and the first handler process, and remove the stream.
 */
@ExtendWith(NatsServerCondition.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsCommandDispatchTest {
    private static final Duration READY = Duration.ofSeconds(60);

    private final String stream = NatsTestServer.uniqueName("relato-dispatch");
    private final String subject = "relato-test." + stream + ".stock";
    private final List<ChildJvm> children = new ArrayList<>();
    private Path errors;
    private NatsEventStore store;
    private NatsCommandSender sender;

    @BeforeEach
    void firstHandlerRunning() throws Exception {
        if (store == null) { // here, not in class set-up, so that a missing server skips each test
            Connection connection = NatsTestServer.shared();
            store = NatsEventStore.builder().connection(connection).streamName(stream).build();
            errors = Files.createTempDirectory("relato-dispatch");
            children.add(startHandler("node-a"));
            sender = NatsCommandSender.builder(connection, StockModel.COMMANDS)
                    .subject(subject)
                    .timeout(Duration.ofSeconds(10))
                    .rejection(OutOfStock.class, OutOfStock::new)
                    .build();
        }
    }

    @AfterAll
    void stopHandlers() throws Exception {
        for (ChildJvm child : children) {
            child.close();
        }
        if (store != null) {
            store.close();
            NatsTestServer.deleteEventStore(NatsTestServer.shared(), stream);
            TestFiles.deleteTree(errors);
        }
        NatsTestServer.closeShared();
    }

    private ChildJvm startHandler(String node) throws Exception {
        ChildJvm child = ChildJvm.start(node, CommandNode.class, errors.resolve(node + ".err"),
                List.of(stream, subject, "stock-handlers", node));
        child.awaitLine("READY", READY);
        return child;
    }

    private static String sku() {
        return "sku-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aCommandIsHandledInAnotherProcessAndItsReceiptComesBack() {
        CommandSender commands = sender; // the interface a local CommandBus implements too
        String sku = sku();

        Receipt opened = commands.send(new Open(sku, 5));
        Receipt reserved = commands.send(new Reserve(sku, 2));

        List<RecordedEvent> events = store.read(StreamId.of(StockModel.CATEGORY, sku));
        assertThat(events).hasSize(2);
        assertThat(opened.version()).isEqualTo(1);
        assertThat(reserved.version()).isEqualTo(2);
        assertThat(reserved.position()).isEqualTo(events.get(1).position());
        assertThat(reserved.appends().get(0).events()).containsExactly(events.get(1));
        assertThat(events.get(1).eventId()).isEqualTo(Command.eventId(reserved.commandId(), 0));
        assertThat(events.get(1).metadata().get(StockModel.NODE)).as("handled in the child JVM").contains("node-a");
    }

    @Test
    void aCommandSentAgainWithItsIdIsARepeat() {
        String sku = sku();
        Command<Open> open = Command.of(UUID.randomUUID(), new Open(sku, 3));
        Receipt first = sender.send(open);

        Receipt again = sender.send(open);

        assertThat(again.repeated()).isTrue();
        assertThat(again.position()).isEqualTo(first.position());
        assertThat(store.read(StreamId.of(StockModel.CATEGORY, sku))).hasSize(1);
    }

    @Test
    void aRejectionArrivesAsTheDomainsTypeOrNamesTheRemoteType() {
        String sku = sku();
        sender.send(new Open(sku, 1));

        assertThatThrownBy(() -> sender.send(new Reserve(sku, 4))).isExactlyInstanceOf(OutOfStock.class)
                .hasMessage(sku + " has 1, 4 asked");
        assertThatThrownBy(() -> sender.send(new Reserve(sku, 0))).isInstanceOfSatisfying(RemoteRejectionException.class,
                e -> {
                    assertThat(e.remoteType()).isEqualTo(IllegalArgumentException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("a reservation must be of 1 or more, got 0");
                });
        assertThat(store.streamVersion(StreamId.of(StockModel.CATEGORY, sku))).as("nothing appended").isEqualTo(1);
    }

    @Test
    void aSendTimesOutWhenNoHandlerListens() {
        NatsCommandSender nobody = NatsCommandSender.builder(NatsTestServer.shared(), StockModel.COMMANDS)
                .subject(subject + ".nobody").timeout(Duration.ofSeconds(2)).build();
        Command<Open> open = Command.of(UUID.randomUUID(), new Open(sku(), 1));

        assertThatThrownBy(() -> nobody.send(open)).isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
            assertThat(e.commandId()).isEqualTo(open.id());
            assertThat(e.subject()).isEqualTo(subject + ".nobody");
            assertThat(e).hasMessageContaining("no listener is subscribed to " + subject + ".nobody");
        });
    }

    @Test
    void aSendTimesOutWhenTheHandlerDoesNotAnswerInTime() {
        CountDownLatch release = new CountDownLatch(1);
        CommandBus slow = CommandBus.builder(store).handler(Count.class, (count, context) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).build();
        String slowSubject = subject + ".slow";
        try (NatsCommandListener listener = NatsCommandListener.builder(NatsTestServer.shared(), slow,
                StockModel.COMMANDS).subject(slowSubject).start()) {
            NatsCommandSender impatient = NatsCommandSender.builder(NatsTestServer.shared(), StockModel.COMMANDS)
                    .subject(slowSubject).timeout(Duration.ofMillis(300)).build();

            assertThatThrownBy(() -> impatient.send(new Count(sku()))).isInstanceOf(CommandTimeoutException.class)
                    .hasMessageContaining("got no answer within PT0.3S");
            release.countDown();
        }
    }

    @Test
    void eachCommandIsHandledByExactlyOneMemberOfTheQueueGroup() throws Exception {
        ChildJvm second = startHandler("node-b");
        children.add(second);
        int commands = 40;
        Set<UUID> ids = new HashSet<>();
        Set<String> nodes = new HashSet<>();
        long head = store.headPosition();

        for (int i = 0; i < commands; i++) {
            Receipt receipt = sender.send(new Open(sku(), i + 1));
            assertThat(receipt.repeated()).isFalse();
            assertThat(receipt.eventCount()).isEqualTo(1);
            ids.add(receipt.appends().get(0).events().get(0).eventId());
            receipt.appends().get(0).events().get(0).metadata().get(StockModel.NODE).ifPresent(nodes::add);
        }

        List<RecordedEvent> appended;
        try (var all = store.readAll(GlobalRead.after(head))) {
            appended = all.toList();
        }
        assertThat(appended).as("one event per command, none twice").hasSize(commands);
        assertThat(appended).extracting(RecordedEvent::eventId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(nodes).as("the group spread the commands over both members").containsExactlyInAnyOrder("node-a",
                "node-b");
    }

    @Test
    void badInputGetsAClearAnswerAppendsNothingAndTheHandlerGoesOn() throws Exception {
        Connection connection = NatsTestServer.shared();
        long head = store.headPosition();

        assertThat(rawRequest(connection, "{\"type\":"))
                .contains("\"status\":\"invalid\"", "not well-formed JSON");
        assertThat(rawRequest(connection, "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"Open\",\"version\":1,"
                + "\"metadata\":{},\"command\":{\"sku\":[1,2],\"quantity\":\"many\"}}"))
                .contains("\"status\":\"invalid\"", "does not decode as " + Open.class.getName());
        assertThat(rawRequest(connection, "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"Discard\",\"version\":1,"
                + "\"metadata\":{},\"command\":{}}"))
                .contains("\"status\":\"unknown\"", "command type 'Discard' is not registered");
        assertThatThrownBy(() -> sender.send(new Count(sku()))).isInstanceOf(UnknownCommandException.class)
                .hasMessageContaining(Count.class.getName());
        String missing = sku();
        assertThatThrownBy(() -> sender.send(new Reserve(missing, 1)))
                .isInstanceOfSatisfying(AggregateNotFoundException.class,
                        e -> assertThat(e.stream()).isEqualTo(StreamId.of(StockModel.CATEGORY, missing)));

        assertThat(store.headPosition()).as("nothing appended").isEqualTo(head);
        assertThat(children.get(0).isAlive()).isTrue();
        assertThat(sender.send(new Open(sku(), 1)).version()).as("the handler goes on").isEqualTo(1);
    }

    private String rawRequest(Connection connection, String body) throws Exception {
        Message reply = connection.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(reply).as("an answer to " + body).isNotNull();
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }
}
