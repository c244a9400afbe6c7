package dev.relato.nats;

import dev.relato.InvalidInputException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.command.Command;
import dev.relato.command.CommandSender;
import dev.relato.command.Receipt;
import dev.relato.command.UnknownCommandException;
import dev.relato.serialization.EventCodec;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.JacksonEventCodec;
import dev.relato.serialization.RegisteredType;
import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.support.NatsRequestCompletableFuture;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Sends commands over NATS to a {@link NatsCommandListener} in another process, as a {@link CommandSender}: code that
 * sends to a local {@link dev.relato.command.CommandBus} sends to a remote one unchanged.
 *
 * <pre>{@code
 * EventTypes commands = EventTypes.builder().registerSealed(OrderCommand.class).build();
 * NatsCommandSender orders = NatsCommandSender.builder(connection, commands)
 *         .subject("orders.commands")
 *         .timeout(Duration.ofSeconds(5))
 *         .rejection(OutOfStock.class, OutOfStock::new)   // rebuilt from the remote message
 *         .build();
 * Receipt receipt = orders.send(new ReserveStock("sku-1", 2));   // version and position, as locally
 * }</pre>
 *
 * <p><b>Encoding.</b> A command's class must be registered in the {@link EventTypes} given (as events are: a name and
 * a schema version) and the listener's registry must know the same name and version; the {@link EventCodec} writes
 * its JSON.
 *
 * <p><b>Answers.</b> {@link #send} waits for the answer of exactly one listener and returns its {@link Receipt}, with
 * the recorded events. A rejection comes back as the domain's own exception when its class is registered with
 * {@link Builder#rejection}: the exception is rebuilt from the remote message (the remote stack trace stays
 * remote). {@link AggregateNotFoundException} and {@link UnknownCommandException} (the listener does not know or
 * handle the command's type) are rebuilt without registration; any other exception arrives as
 * {@link RemoteRejectionException}, naming the remote class and its message. A request the listener could not read
 * throws {@link InvalidInputException} with the listener's reason. In each of these cases nothing was appended.
 *
 * <p><b>Timeouts; nothing retries.</b> With no listener on the subject, or no answer within the timeout, the send
 * throws {@link CommandTimeoutException}; the command may have been handled in the second case, and sending it again
 * with the same id is a safe retry (the receipt is then marked {@link Receipt#repeated()}). The sender itself sends
 * each command once. A closed connection, or an interrupt while waiting, throws {@link StoreUnavailableException}; a
 * command whose class is not registered throws {@link IllegalArgumentException} before anything is sent; an answer
 * that is not a command reply (something else answers on the subject) throws {@link StoreFailureException}.
 *
 * <p>Thread-safe: one sender serves every thread, on the caller's connection, which it never closes.
 */
public final class NatsCommandSender implements CommandSender {
    private final Connection connection;
    private final EventTypes types;
    private final EventCodec codec;
    private final String subject;
    private final Duration timeout;
    private final Map<String, Function<String, ? extends RuntimeException>> rejections;

    private NatsCommandSender(Builder builder) {
        this.connection = builder.connection;
        this.types = builder.types;
        this.codec = builder.codec;
        this.subject = builder.subject;
        this.timeout = builder.timeout;
        this.rejections = Map.copyOf(builder.rejections);
    }

    /** A sender of the commands registered in {@code commands}, over {@code connection}. */
    public static Builder builder(Connection connection, EventTypes commands) {
        return new Builder(connection, commands);
    }

    /**
     * Sends {@code command} to one listener on the subject and waits for its answer.
     *
     * @throws CommandTimeoutException   if no listener is subscribed or none answers within the timeout
     * @throws UnknownCommandException   if the listener does not know or handle the command's type
     * @throws InvalidInputException     if the listener could not read the command
     * @throws RemoteRejectionException  if the handler threw an exception that is not registered here
     * @throws RuntimeException          the domain's rejection, rebuilt, if its class is registered here
     * @throws IllegalArgumentException  if the command's class is not registered in the sender's types
     * @throws StoreUnavailableException if the connection is closed or the wait was interrupted
     */
    @Override
    public Receipt send(Command<?> command) {
        Objects.requireNonNull(command, "command must not be null");
        RegisteredType type = types.find(command.type()).orElseThrow(() -> new IllegalArgumentException(
                "command class " + command.type().getName() + " is not registered in the sender's EventTypes; register"
                        + " it (or its sealed interface) as events are registered"));
        byte[] body = CommandRequest.encode(command, type, codec);
        Message reply = request(command, body);
        CommandReply.Answer answer;
        try {
            answer = CommandReply.read(reply.getData() == null ? new byte[0] : reply.getData());
        } catch (IllegalArgumentException e) {
            throw new StoreFailureException("the answer on " + subject + " is not a command reply (is something else"
                    + " subscribed to the subject?): " + e.getMessage(), e);
        }
        if (answer instanceof CommandReply.Handled handled) {
            return handled.receipt();
        }
        throw rejection(command, (CommandReply.Refused) answer);
    }

    private Message request(Command<?> command, byte[] body) {
        CompletableFuture<Message> future;
        try {
            future = connection.requestWithTimeout(subject, body, timeout);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("command " + command.id() + " could not be sent to " + subject + ": "
                    + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new StoreUnavailableException("command " + command.id() + " could not be sent to " + subject
                    + ": " + e.getMessage(), e);
        }
        Message reply;
        try {
            reply = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CommandTimeoutException(command.id(), subject, timeout, false, e);
        } catch (CancellationException e) {
            boolean timedOut = future instanceof NatsRequestCompletableFuture nats
                    && (nats.wasCancelledTimedOut() || nats.hasExceededTimeout());
            if (future instanceof NatsRequestCompletableFuture nats && nats.wasCancelledClosing()) {
                throw new StoreUnavailableException("the connection closed while command " + command.id()
                        + " awaited its answer on " + subject + "; sending it again with the same id is safe", e);
            }
            throw new CommandTimeoutException(command.id(), subject, timeout, !timedOut, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JetStreamStatusException status && status.getStatus().getCode() == 503) {
                throw new CommandTimeoutException(command.id(), subject, timeout, true, e.getCause());
            }
            throw new StoreUnavailableException("command " + command.id() + " sent to " + subject + " failed: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while command " + command.id() + " awaited its answer on "
                    + subject + "; sending it again with the same id is safe", e);
        }
        if (reply.isStatusMessage()) {
            throw new CommandTimeoutException(command.id(), subject, timeout, reply.getStatus().getCode() == 503, null);
        }
        return reply;
    }

    private RuntimeException rejection(Command<?> command, CommandReply.Refused refused) {
        switch (refused.status()) {
            case CommandReply.UNKNOWN:
                return new UnknownCommandException(command.type());
            case CommandReply.INVALID:
                return new InvalidInputException("the listener on " + subject + " could not read command "
                        + command.id() + ": " + refused.message());
            case CommandReply.REJECTED:
                if (refused.type().equals(AggregateNotFoundException.class.getName()) && refused.stream().isPresent()) {
                    return new AggregateNotFoundException(refused.stream().get());
                }
                Function<String, ? extends RuntimeException> factory = rejections.get(refused.type());
                return factory == null ? new RemoteRejectionException(refused.type(), refused.message())
                        : factory.apply(refused.message());
            default:
                return new RemoteRejectionException(refused.type(), "unknown reply status '" + refused.status() + "': "
                        + refused.message());
        }
    }

    /** The subject commands are sent to. */
    public String subject() {
        return subject;
    }

    @Override
    public String toString() {
        return "NatsCommandSender[" + subject + ", timeout " + timeout + "]";
    }

    /** Configures a {@link NatsCommandSender}. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder {
        private final Connection connection;
        private final EventTypes types;
        private final Map<String, Function<String, ? extends RuntimeException>> rejections = new HashMap<>();
        private EventCodec codec = new JacksonEventCodec();
        private String subject = "relato.commands";
        private Duration timeout = Duration.ofSeconds(5);

        private Builder(Connection connection, EventTypes types) {
            this.connection = Objects.requireNonNull(connection, "connection must not be null");
            this.types = Objects.requireNonNull(types, "command types must not be null");
        }

        /** The subject the listener takes commands from (see {@link NatsCommandListener.Builder#subject}). */
        public Builder subject(String subject) {
            this.subject = Names.validateSubjectPrefix(subject);
            return this;
        }

        /** The codec that writes the commands' JSON, the one the listener reads with. Default {@link JacksonEventCodec}. */
        public Builder codec(EventCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec must not be null");
            return this;
        }

        /** How long a send waits for its answer. Default 5 seconds. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * A rejection of the domain that comes back as its own type: when the remote handler throws an exception of
         * exactly this class, the sender throws {@code factory.apply(remoteMessage)}.
         */
        public <E extends RuntimeException> Builder rejection(Class<E> type, Function<String, ? extends E> factory) {
            Objects.requireNonNull(type, "rejection type must not be null");
            Objects.requireNonNull(factory, "factory must not be null");
            if (rejections.putIfAbsent(type.getName(), factory) != null) {
                throw new IllegalArgumentException("rejection " + type.getName() + " is already registered");
            }
            return this;
        }

        /**
         * A rejection of the domain that comes back as its own type, rebuilt with its public constructor taking the
         * remote message as its only argument.
         *
         * @throws IllegalArgumentException if the class has no such constructor
         */
        public <E extends RuntimeException> Builder rejection(Class<E> type) {
            Objects.requireNonNull(type, "rejection type must not be null");
            Constructor<E> constructor;
            try {
                constructor = type.getConstructor(String.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getName() + " has no public constructor taking the message;"
                        + " register it with rejection(type, message -> new ...)", e);
            }
            if (Modifier.isAbstract(type.getModifiers())) {
                throw new IllegalArgumentException(type.getName() + " is abstract; register its concrete classes");
            }
            return rejection(type, message -> construct(constructor, message));
        }

        private static <E extends RuntimeException> E construct(Constructor<E> constructor, String message) {
            try {
                return constructor.newInstance(message);
            } catch (InvocationTargetException e) {
                throw new RemoteRejectionException(constructor.getDeclaringClass().getName(), message
                        + " (rebuilding it failed: " + e.getCause() + ")");
            } catch (ReflectiveOperationException e) {
                throw new RemoteRejectionException(constructor.getDeclaringClass().getName(), message
                        + " (rebuilding it failed: " + e + ")");
            }
        }

        public NatsCommandSender build() {
            return new NatsCommandSender(this);
        }
    }
}
