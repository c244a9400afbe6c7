package dev.relato.cli.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventFilter;
import dev.relato.InvalidInputException;
import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.cli.ops.Inputs;
import dev.relato.cli.ops.LogOperations;
import dev.relato.cli.ops.OperationException;
import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.ReplayOutcome;
import dev.relato.cli.ops.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console as a Jetty handler over the {@link Operations} of one store: the pages, the live tail as
 * server-sent events, and, with writes allowed, the operations that change things (POST only, from the console's own
 * pages). Mount it at any path of a Jetty 12 server (a {@code ContextHandler}), or run it with {@link ConsoleServer}.
 * Thread-safe. {@link #close()} stops its event-rate counter and ends the live tails.
 */
public final class ConsoleHandler extends Handler.Abstract implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long one live-tail connection is kept; the browser reconnects after it. */
    private static final Duration TAIL_SPAN = Duration.ofMinutes(10);
    private static final int MAX_QUERY = 12_000;
    /** How long a replay asked of a runner in another process is waited for before the page says it is asked. */
    private static final Duration REPLAY_WAIT = Duration.ofSeconds(5);

    private final Operations ops;
    private final boolean writes;
    private final EventRate rate;
    private volatile boolean closed;

    /**
     * @param writes whether the operations that change things (pause, resume, reset, rebuild, replay, discard, and
     *               deleting or truncating a stream) are allowed
     */
    public ConsoleHandler(Operations ops, boolean writes) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.writes = writes;
        this.rate = new EventRate(ops.target().store(), Clock.systemUTC());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String base = request.getContext().getContextPath();
        base = base == null || base.equals("/") ? "" : base;
        String path = Request.getPathInContext(request);
        Pages pages = new Pages(ops, base, writes);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        response.getHeaders().put("Referrer-Policy", "same-origin");
        try {
            String query = request.getHttpURI().getQuery();
            if (query != null && query.length() > MAX_QUERY) {
                throw new UsageException("the query is " + query.length() + " characters long; the limit is " + MAX_QUERY);
            }
            Fields params;
            try {
                params = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                throw new UsageException("the query cannot be read: " + e.getMessage());
            }
            String method = request.getMethod();
            if (method.equals("POST")) {
                return post(request, response, callback, path, base);
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "text/plain", "method not allowed\n");
                return true;
            }
            switch (path) {
                case "/", "" -> html(response, callback, pages.overview(rate.buckets()));
                case "/streams" -> html(response, callback, pages.streams(optional(params, "category"),
                        optional(params, "prefix"), number(params, "after", 0), optional(params, "message")));
                case "/stream" -> {
                    StreamId id = Inputs.stream(params.getValue("id") == null ? "" : params.getValue("id"));
                    Optional<Instant> asOf = optional(params, "asOf").map(t -> Inputs.instant(t, "as of"));
                    html(response, callback, pages.stream(id, Math.max(1, number(params, "from", 1)), asOf));
                }
                case "/tail" -> html(response, callback, pages.tail());
                case "/tail/events" -> tail(response, callback, params);
                case "/projections" -> html(response, callback, pages.projections(optional(params, "message")));
                default -> send(response, callback, HttpStatus.NOT_FOUND_404, "text/plain", "no page " + Inputs.preview(path) + "\n");
            }
        } catch (UsageException | InvalidInputException e) {
            error(response, callback, pages, base, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (OperationException e) {
            error(response, callback, pages, base, HttpStatus.NOT_FOUND_404, e.getMessage());
        } catch (WrongExpectedVersionException e) {
            error(response, callback, pages, base, HttpStatus.CONFLICT_409, e.getMessage());
        } catch (StoreUnavailableException e) {
            error(response, callback, pages, base, HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage());
        } catch (RelatoException | IllegalArgumentException | IllegalStateException e) {
            LOG.warn("console request {} failed", Inputs.preview(path), e);
            error(response, callback, pages, base, HttpStatus.INTERNAL_SERVER_ERROR_500, e.getMessage());
        }
        return true;
    }

    private boolean post(Request request, Response response, Callback callback, String path, String base) throws
            RelatoException {
        if (!writes) {
            send(response, callback, HttpStatus.FORBIDDEN_403, "text/plain",
                    "this console is read-only: start it with --allow-writes to change things\n");
            return true;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String host = request.getHeaders().get(HttpHeader.HOST);
        String site = request.getHeaders().get("Sec-Fetch-Site");
        boolean sameOrigin = site != null ? site.equals("same-origin")
                : origin != null && host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
        if (!sameOrigin) {
            send(response, callback, HttpStatus.FORBIDDEN_403, "text/plain", "operations are accepted from the console's own pages only\n");
            return true;
        }
        Fields form;
        try {
            form = Request.getParameters(request);
        } catch (Exception e) {
            throw new UsageException("the form cannot be read: " + e.getMessage());
        }
        String[] parts = path.split("/", -1);
        if (parts.length == 3 && parts[1].equals("stream")) {
            return streamRemoval(request, response, callback, base, parts[2], form);
        }
        String message;
        if (parts.length == 4 && parts[1].equals("projections") && parts[3].equals("pause")) {
            String name = decode(parts[2]);
            ops.projections().pause(name);
            message = "paused " + name + ": its runners stop within their poll interval";
        } else if (parts.length == 4 && parts[1].equals("projections") && parts[3].equals("resume")) {
            String name = decode(parts[2]);
            ops.projections().resume(name);
            message = "resumed " + name;
        } else if (parts.length == 4 && parts[1].equals("projections") && parts[3].equals("reset")) {
            String name = decode(parts[2]);
            long to = Inputs.number(Optional.ofNullable(form.getValue("to")).orElse(""), "position", 0);
            message = "reset " + name + " to " + ops.projections().reset(name, to).position();
        } else if (parts.length == 4 && parts[1].equals("projections") && parts[3].equals("rebuild")) {
            String name = decode(parts[2]);
            ops.projections().rebuild(name);
            message = "rebuilding " + name + " from the start";
        } else if (parts.length == 6 && parts[1].equals("projections") && parts[3].equals("dead-letters")) {
            String name = decode(parts[2]);
            long position = Inputs.number(parts[4], "position", 1);
            if (parts[5].equals("discard")) {
                ops.deadLetters().discard(name, position);
                message = "discarded the dead letter of " + name + " at " + position;
            } else if (parts[5].equals("replay")) {
                message = switch (replay(name, position)) {
                    case REPLAYED -> "replayed the dead letter of " + name + " at " + position;
                    case FAILED_AGAIN -> "the dead letter of " + name + " at " + position + " failed again";
                    case REQUESTED -> "asked the runner of " + name + " to replay the dead letter at " + position
                            + ": it does when it next looks";
                };
            } else {
                throw new OperationException("no operation " + Inputs.preview(parts[5]));
            }
        } else {
            throw new OperationException("no operation at " + Inputs.preview(path));
        }
        Response.sendRedirect(request, response, callback, HttpStatus.SEE_OTHER_303,
                base + "/projections?message=" + Html.param(message), true);
        return true;
    }

    private ReplayOutcome replay(String projection, long position) {
        try {
            return ops.deadLetters().replay(projection, position, REPLAY_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replay", e);
        }
    }

    /** {@code POST /stream/delete} or {@code /stream/truncate} with the stream's id (and a version) in the form. */
    private boolean streamRemoval(Request request, Response response, Callback callback, String base, String operation,
                                  Fields form) {
        String name = Optional.ofNullable(form.getValue("id")).orElse("");
        StreamId stream = Inputs.stream(name);
        String message;
        if (operation.equals("delete")) {
            long version = Inputs.number(Optional.ofNullable(form.getValue("expectedVersion")).orElse(""), "expected version", 1);
            long removed = ops.removal().delete(stream, Optional.of(version));
            message = "deleted " + name + ": " + removed + " events removed";
        } else if (operation.equals("truncate")) {
            long before = Inputs.number(Optional.ofNullable(form.getValue("before")).orElse(""), "version", 1);
            long removed = ops.removal().truncate(stream, before);
            message = "truncated " + name + " before version " + before + ": " + removed + " events removed";
        } else {
            throw new OperationException("no operation " + Inputs.preview(operation) + " on streams");
        }
        Response.sendRedirect(request, response, callback, HttpStatus.SEE_OTHER_303,
                base + "/streams?message=" + Html.param(message), true);
        return true;
    }

    private static String decode(String segment) {
        return Inputs.projection(URLDecoder.decode(segment, StandardCharsets.UTF_8));
    }

    private void tail(Response response, Callback callback, Fields params) {
        EventFilter filter = LogOperations.filter(optional(params, "category").map(Set::of).orElse(Set.of()),
                optional(params, "type").map(Set::of).orElse(Set.of()));
        long after = params.getValue("after") == null ? ops.log().head() : number(params, "after", 0);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        long until = System.nanoTime() + TAIL_SPAN.toNanos();
        try {
            write(response, ": following after " + after + "\n\n", false);
            ops.log().follow(after, filter, e -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("position", e.position());
                node.put("stream", e.streamId().category() + "-" + e.streamId().id());
                node.put("version", e.streamVersion());
                node.put("type", e.type());
                node.put("recorded", e.recordedAt().toString());
                node.put("payload", e.payload());
                write(response, "event: event\nid: " + e.position() + "\ndata: " + node + "\n\n", false);
            }, () -> closed || System.nanoTime() > until);
            write(response, "", true);
            callback.succeeded();
        } catch (UncheckedIOException e) {
            callback.failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        }
    }

    private static void write(Response response, String text, boolean last) {
        try (Blocker.Callback blocker = Blocker.callback()) {
            response.write(last, BufferUtil.toBuffer(text, StandardCharsets.UTF_8), blocker);
            blocker.block();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away", e);
        }
    }

    private void error(Response response, Callback callback, Pages pages, String base, int status, String message) {
        String body = Html.page(base, "Error " + status, "", ops.target().description(), writes,
                "<p class=\"error\" id=\"error\">" + Html.text(message == null ? "failed" : message.length() > 500 ? message.substring(0, 500) + "…" : message) + "</p>");
        send(response, callback, status, "text/html", body);
    }

    private static void html(Response response, Callback callback, String body) {
        send(response, callback, HttpStatus.OK_200, "text/html", body);
    }

    private static void send(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type + "; charset=utf-8");
        Content.Sink.write(response, true, body, callback);
    }

    private static Optional<String> optional(Fields params, String name) {
        String value = params.getValue(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static long number(Fields params, String name, long min) {
        return optional(params, name).map(v -> Inputs.number(v, name, min)).orElse(min);
    }

    @Override
    public void close() {
        closed = true;
        rate.close();
    }
}
