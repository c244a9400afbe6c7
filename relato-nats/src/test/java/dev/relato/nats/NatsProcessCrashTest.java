package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.test.contract.ProcessCrashContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The process crash suite on the machine's nats-server: workflow JVMs share an event stream of their own and are
 * killed with SIGKILL.
 */
@ExtendWith(NatsServerCondition.class)
class NatsProcessCrashTest extends ProcessCrashContract {
    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected String newLocation() {
        return NatsTestServer.URL + "#" + NatsTestServer.uniqueName("relato-crash");
    }

    @Override
    protected EventStore open(String location) {
        return NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(stream(location)).build();
    }

    @Override
    protected Class<?> nodeMain() {
        return NatsWorkflowNode.class;
    }

    @Override
    protected void drop(String location) {
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), stream(location));
    }

    private static String stream(String location) {
        return location.substring(location.lastIndexOf('#') + 1);
    }
}
