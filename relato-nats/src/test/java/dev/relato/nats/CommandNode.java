package dev.relato.nats;

import io.nats.client.Connection;

/**
 * A process that handles stock commands arriving over NATS, in a JVM of its own: a {@link NatsCommandListener}
 * around {@link StockModel#bus}, on a NATS event store. Prints {@code READY} once it listens; ends when its standard
 * input is closed (or when it is killed).
 *
 * <p>Arguments: JetStream stream, subject, queue group, node name; the server is {@link NatsTestServer}'s.
 */
final class CommandNode {
    private CommandNode() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection connection = NatsTestServer.connect();
             NatsEventStore store = NatsEventStore.builder().connection(connection).streamName(args[0]).build();
             NatsCommandListener listener = NatsCommandListener.builder(connection, StockModel.bus(store, args[3]),
                     StockModel.COMMANDS).subject(args[1]).queueGroup(args[2]).start()) {
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() != -1) {
                // runs until the test closes standard input, or kills this JVM
            }
        }
    }
}
