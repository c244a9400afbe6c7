package dev.relato.nats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.InvalidInputException;
import dev.relato.StoreUnavailableException;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.command.UnknownCommandException;
import dev.relato.serialization.EventCodec;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.JacksonEventCodec;
import dev.relato.serialization.RegisteredType;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles commands that arrive over NATS with a {@link CommandBus} of this process, and answers each one: the other
 * end of {@link NatsCommandSender}.
 *
 * <pre>{@code
 * EventTypes commands = EventTypes.builder().registerSealed(OrderCommand.class).build();
 * try (NatsCommandListener listener = NatsCommandListener.builder(connection, bus, commands)
 *         .subject("orders.commands").start()) {
 *     // every process that starts a listener on the subject with the same queue group is one member
 * }
 * }</pre>
 *
 * <p><b>Exactly one member.</b> The listener subscribes to its subject in a queue group (the subject, unless set),
 * so NATS hands each command to exactly one member of the group, whichever process it runs in. {@link
 * Builder#workers(int)} members run in this process, each on a thread of its own (one jnats dispatcher each).
 *
 * <p><b>Answers.</b> A command is decoded with the {@link EventTypes} its commands are registered in (as events are)
 * and the {@link EventCodec}, sent with its own id and metadata through the bus, and answered with the receipt
 * (versions, positions and the recorded events), or with the exception the bus threw (its class name and message:
 * the domain's rejection, {@link dev.relato.aggregate.AggregateNotFoundException}, a store failure). A request that
 * is not well-formed, has another schema version or does not decode as its class is answered as invalid; a type
 * that is not registered, or that the bus has no handler for, as unknown. Nothing is appended in either case, and
 * the listener goes on with the next command: no request stops it. A request without a reply subject is dropped
 * with a warning: nobody could learn its outcome. relato-nats' README describes both messages, for clients in
 * other languages.
 *
 * <p><b>Failures.</b> An answer that cannot be published (the connection dropped, the receipt exceeds the server's
 * maximum payload) is logged; the sender times out and may send the command again with its id, which is a retry.
 * {@link #close()} stops taking commands, lets the ones under way finish (for at most the drain timeout) and leaves
 * the connection open: it is the caller's.
 *
 * <p>Thread-safe. The bus's handlers run on the listener's threads.
 */
public final class NatsCommandListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NatsCommandListener.class);

    private final Connection connection;
    private final CommandBus bus;
    private final EventTypes types;
    private final EventCodec codec;
    private final String subject;
    private final String queueGroup;
    private final Duration drainTimeout;
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    private NatsCommandListener(Builder builder) {
        this.connection = builder.connection;
        this.bus = builder.bus;
        this.types = builder.types;
        this.codec = builder.codec;
        this.subject = builder.subject;
        this.queueGroup = builder.queueGroup == null ? builder.subject : builder.queueGroup;
        this.drainTimeout = builder.drainTimeout;
    }

    /**
     * A listener handling commands with {@code bus}, decoding them with the registrations in {@code commands}.
     */
    public static Builder builder(Connection connection, CommandBus bus, EventTypes commands) {
        return new Builder(connection, bus, commands);
    }

    private void subscribe(int workers) {
        synchronized (dispatchers) {
            for (int i = 0; i < workers; i++) {
                Dispatcher dispatcher = connection.createDispatcher(this::onMessage);
                dispatchers.add(dispatcher);
                dispatcher.subscribe(subject, queueGroup);
            }
        }
        try {
            connection.flush(drainTimeout);
        } catch (TimeoutException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new StoreUnavailableException("the subscriptions to " + subject + " were not confirmed by the server"
                    + " within " + drainTimeout + ": " + e, e);
        }
        LOG.info("listening for commands on {} in queue group {} with {} worker(s)", subject, queueGroup, workers);
    }

    /** The subject the listener takes commands from. */
    public String subject() {
        return subject;
    }

    /** The queue group its members share with those of other processes. */
    public String queueGroup() {
        return queueGroup;
    }

    private void onMessage(Message message) {
        String replyTo = message.getReplyTo();
        if (replyTo == null || replyTo.isEmpty()) {
            LOG.warn("dropped a command on {} that has no reply subject: send commands as requests", subject);
            return;
        }
        byte[] answer = answer(message.getData() == null ? new byte[0] : message.getData());
        try {
            connection.publish(replyTo, answer);
        } catch (RuntimeException e) {
            LOG.warn("could not answer a command on {} ({} bytes): {}; the sender will time out", subject,
                    answer.length, e.toString());
        }
    }

    /** Decodes and handles one request; whatever happens, the answer to send back. */
    private byte[] answer(byte[] body) {
        Command<?> command;
        String typeName = "?";
        try {
            JsonNode request = CommandRequest.parse(body);
            typeName = CommandRequest.typeName(request);
            Optional<RegisteredType> type = types.find(typeName);
            if (type.isEmpty()) {
                return CommandReply.unknown(typeName, "command type '" + typeName + "' is not registered with the"
                        + " listener on " + subject);
            }
            command = CommandRequest.command(request, type.get(), codec);
        } catch (InvalidInputException e) {
            LOG.debug("refused a command request on {}: {}", subject, e.getMessage());
            return CommandReply.invalid(e.getMessage());
        }
        try {
            return CommandReply.handled(bus.send(command));
        } catch (UnknownCommandException e) {
            return CommandReply.unknown(typeName, e.getMessage());
        } catch (RuntimeException e) {
            LOG.debug("command {} {} on {} rejected: {}", typeName, command.id(), subject, e.toString());
            return CommandReply.rejected(e);
        }
    }

    /**
     * Stops taking commands: unsubscribes, lets the commands under way finish for at most the drain timeout, and
     * closes the dispatchers. The connection stays open. Idempotent.
     */
    @Override
    public void close() {
        List<Dispatcher> open;
        synchronized (dispatchers) {
            open = List.copyOf(dispatchers);
            dispatchers.clear();
        }
        for (Dispatcher dispatcher : open) {
            try {
                dispatcher.drain(drainTimeout).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("draining the command listener on {} ended with {}", subject, e.toString());
            }
            if (dispatcher.isActive()) {
                connection.closeDispatcher(dispatcher);
            }
        }
    }

    @Override
    public String toString() {
        return "NatsCommandListener[" + subject + " in " + queueGroup + ", " + bus + "]";
    }

    /** Configures a {@link NatsCommandListener}. Not thread-safe: use it from one thread, then {@link #start()}. */
    public static final class Builder {
        private final Connection connection;
        private final CommandBus bus;
        private final EventTypes types;
        private EventCodec codec = new JacksonEventCodec();
        private String subject = "relato.commands";
        private String queueGroup;
        private int workers = 1;
        private Duration drainTimeout = Duration.ofSeconds(10);

        private Builder(Connection connection, CommandBus bus, EventTypes types) {
            this.connection = Objects.requireNonNull(connection, "connection must not be null");
            this.bus = Objects.requireNonNull(bus, "command bus must not be null");
            this.types = Objects.requireNonNull(types, "command types must not be null");
        }

        /**
         * The subject commands are sent to: dot-separated tokens of ASCII letters, digits, {@code -} and
         * {@code _}. Default {@code relato.commands}; give each service its own.
         */
        public Builder subject(String subject) {
            this.subject = Names.validateSubjectPrefix(subject);
            return this;
        }

        /** The queue group the members share (same rule as the subject). Default: the subject. */
        public Builder queueGroup(String queueGroup) {
            this.queueGroup = Names.validateSubjectPrefix(queueGroup);
            return this;
        }

        /** The codec that reads the commands' JSON, the one the senders write with. Default {@link JacksonEventCodec}. */
        public Builder codec(EventCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec must not be null");
            return this;
        }

        /** How many members of the queue group run in this process, each on a thread of its own. Default 1. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be 1 or more, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * How long {@link #start()} waits for the server to confirm the subscriptions, and {@link #close()} for the
         * commands under way. Default 10 seconds.
         */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "drain timeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("drain timeout must be positive, got " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Subscribes and returns the running listener, once the server has confirmed its subscriptions.
         *
         * @throws StoreUnavailableException if the server does not confirm them within the drain timeout
         */
        public NatsCommandListener start() {
            NatsCommandListener listener = new NatsCommandListener(this);
            listener.subscribe(workers);
            return listener;
        }
    }
}
