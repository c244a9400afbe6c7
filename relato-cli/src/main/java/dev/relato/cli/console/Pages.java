package dev.relato.cli.console;

import static dev.relato.cli.console.Html.param;
import static dev.relato.cli.console.Html.text;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.ProjectionInfo;
import dev.relato.cli.ops.StreamSummary;
import dev.relato.projection.DeadLetter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The HTML of each page, from the operations; every value escaped. */
final class Pages {
    static final int PAGE = 50;

    private final Operations ops;
    private final String base;
    private final boolean writes;

    Pages(Operations ops, String base, boolean writes) {
        this.ops = ops;
        this.base = base;
        this.writes = writes;
    }

    private String page(String title, String active, String body) {
        return Html.page(base, title, active, ops.target().description(), writes, body);
    }

    String overview(List<long[]> rate) {
        long head = ops.log().head();
        List<ProjectionInfo> projections = ops.projections().list();
        long behind = projections.stream().filter(p -> p.behind() > 0).count();
        long deadLetters = projections.stream().mapToLong(ProjectionInfo::deadLetters).sum();
        StringBuilder body = new StringBuilder("<div class=\"cards\">");
        card(body, "head-position", "Head position", Long.toString(head));
        card(body, "store-kind", "Store", ops.target().kind());
        card(body, "projection-count", "Projections", Integer.toString(projections.size()));
        card(body, "projections-behind", "Projections behind", Long.toString(behind));
        card(body, "dead-letter-count", "Dead letters", Long.toString(deadLetters));
        body.append("</div><h2>Events appended, per ").append(EventRate.BUCKET_SECONDS)
                .append(" seconds, since the console started</h2>");
        long max = Math.max(1, rate.stream().mapToLong(b -> b[1]).max().orElse(1));
        int width = 24;
        body.append("<svg id=\"rate-chart\" role=\"img\" aria-label=\"event rate\" width=\"")
                .append(rate.size() * width + 40).append("\" height=\"140\">");
        for (int i = 0; i < rate.size(); i++) {
            long count = rate.get(i)[1];
            long h = count * 110 / max;
            body.append("<rect class=\"bar\" data-count=\"").append(count).append("\" x=\"").append(i * width + 30)
                    .append("\" y=\"").append(120 - h).append("\" width=\"").append(width - 4).append("\" height=\"")
                    .append(h).append("\" fill=\"#3b6fd8\"><title>").append(count).append(" events</title></rect>");
        }
        body.append("<text x=\"0\" y=\"12\">").append(max).append("</text><text x=\"0\" y=\"120\">0</text>")
                .append("<text x=\"30\" y=\"135\">").append(EventRate.BUCKETS * EventRate.BUCKET_SECONDS / 60)
                .append(" minutes ago</text><text x=\"").append(rate.size() * width - 10).append("\" y=\"135\">now</text></svg>");
        return page("Overview", "", body.toString());
    }

    private static void card(StringBuilder body, String id, String label, String value) {
        body.append("<div class=\"card\"><div class=\"muted\">").append(text(label)).append("</div><div class=\"value\" id=\"")
                .append(id).append("\">").append(text(value)).append("</div></div>");
    }

    String streams(Optional<String> category, Optional<String> prefix, long after, Optional<String> message) {
        StringBuilder body = new StringBuilder();
        message.ifPresent(m -> body.append("<p id=\"message\">").append(text(m)).append("</p>"));
        body.append("<form class=\"filters\" method=\"get\" action=\"").append(base)
                .append("/streams\"><input name=\"category\" placeholder=\"category\" value=\"")
                .append(text(category.orElse(""))).append("\"><input name=\"prefix\" placeholder=\"id prefix\" value=\"")
                .append(text(prefix.orElse(""))).append("\"><button type=\"submit\">Search</button></form>");
        body.append("<table id=\"streams\"><thead><tr><th>Stream</th><th class=\"num\">Version</th><th>Created</th>"
                + "<th class=\"num\">Position</th></tr></thead><tbody>");
        long last = -1;
        int rows = 0;
        try (Stream<StreamSummary> streams = ops.streams().list(category, prefix, after, PAGE)) {
            for (StreamSummary s : (Iterable<StreamSummary>) streams::iterator) {
                String name = s.stream().category() + "-" + s.stream().id();
                body.append("<tr><td><a href=\"").append(base).append("/stream?id=").append(text(param(name)))
                        .append("\">").append(text(name)).append("</a></td><td class=\"num\">").append(s.version())
                        .append("</td><td>").append(text(s.createdAt())).append("</td><td class=\"num\">")
                        .append(s.createdPosition()).append("</td></tr>");
                last = s.createdPosition();
                rows++;
            }
        }
        body.append("</tbody></table>");
        if (rows == 0) {
            body.append("<p class=\"muted\">No streams.</p>");
        }
        if (rows == PAGE) {
            body.append("<p><a id=\"next-page\" href=\"").append(base).append("/streams?after=").append(last)
                    .append(category.map(c -> "&amp;category=" + text(param(c))).orElse(""))
                    .append(prefix.map(p -> "&amp;prefix=" + text(param(p))).orElse("")).append("\">Next page</a></p>");
        }
        return page("Streams", "streams", body.toString());
    }

    String stream(StreamId id, long from, Optional<Instant> asOf) {
        String name = id.category() + "-" + id.id();
        StreamRead read = StreamRead.forwards().from(from).limit(PAGE);
        if (asOf.isPresent()) {
            read = read.asOf(asOf.get());
        }
        List<RecordedEvent> events = ops.streams().page(id, read);
        long version = ops.streams().version(id);
        StringBuilder body = new StringBuilder("<p class=\"muted\">Version <span id=\"stream-version\">").append(version)
                .append("</span>").append(asOf.map(t -> " · as of " + text(t)).orElse("")).append("</p>");
        body.append("<form class=\"filters\" method=\"get\" action=\"").append(base).append("/stream\">")
                .append("<input type=\"hidden\" name=\"id\" value=\"").append(text(name)).append("\">")
                .append("<label>from version <input name=\"from\" size=\"6\" value=\"").append(from).append("\"></label>")
                .append("<label>as of <input name=\"asOf\" placeholder=\"2026-12-03T08:00:00Z\" value=\"")
                .append(text(asOf.map(Instant::toString).orElse(""))).append("\"></label>")
                .append("<button type=\"submit\">Go</button></form>");
        body.append("<table id=\"events\"><thead><tr><th class=\"num\">Version</th><th>Type</th><th class=\"num\">Position</th>"
                + "<th>Recorded</th><th>Payload</th><th>Metadata</th></tr></thead><tbody>");
        for (RecordedEvent e : events) {
            body.append("<tr class=\"event\"><td class=\"num\">").append(e.streamVersion()).append("</td><td>")
                    .append(text(e.type())).append("</td><td class=\"num\">").append(e.position()).append("</td><td>")
                    .append(text(e.recordedAt())).append("</td><td><pre class=\"payload\">").append(Html.prettyJson(e.payload()))
                    .append("</pre></td><td><pre class=\"metadata\">").append(text(e.metadata().entries()))
                    .append("</pre></td></tr>");
        }
        body.append("</tbody></table>");
        if (writes && ops.removal().supported() && version > 0) {
            String idField = "<input type=\"hidden\" name=\"id\" value=\"" + text(name) + "\">";
            body.append("<h2>Remove events</h2><p>")
                    .append(action("stream/delete", "Delete stream", "Delete " + name + " and its " + version
                            + " events for good?", idField + "<input type=\"hidden\" name=\"expectedVersion\" value=\""
                            + version + "\">"))
                    .append(action("stream/truncate", "Truncate before version", "Remove the events of " + name
                            + " below this version for good?", idField + "<input name=\"before\" size=\"6\" value=\""
                            + version + "\">"))
                    .append("</p>");
        }
        if (events.size() == PAGE) {
            body.append("<p><a id=\"next-page\" href=\"").append(base).append("/stream?id=").append(text(param(name)))
                    .append("&amp;from=").append(events.get(events.size() - 1).streamVersion() + 1)
                    .append(asOf.map(t -> "&amp;asOf=" + text(param(t.toString()))).orElse("")).append("\">Next page</a></p>");
        }
        return page(name, "streams", body.toString());
    }

    String tail() {
        String body = "<form class=\"filters\" id=\"tail-filters\"><input name=\"category\" placeholder=\"category\">"
                + "<input name=\"type\" placeholder=\"event type\"><button type=\"submit\">Follow</button></form>"
                + "<p class=\"muted\" id=\"tail-state\">Not following.</p>"
                + "<table id=\"tail\"><thead><tr><th class=\"num\">Position</th><th>Stream</th><th class=\"num\">Version</th>"
                + "<th>Type</th><th>Recorded</th><th>Payload</th></tr></thead><tbody></tbody></table><script>"
                + TAIL_SCRIPT.replace("BASE", base) + "</script>";
        return page("Live tail", "tail", body);
    }

    private static final String TAIL_SCRIPT = """
            (function () {
              var source = null;
              var form = document.getElementById('tail-filters');
              var rows = document.querySelector('#tail tbody');
              var state = document.getElementById('tail-state');
              function cell(row, value, cls) {
                var td = document.createElement('td');
                if (cls) { td.className = cls; }
                td.textContent = value;
                row.appendChild(td);
              }
              function follow() {
                if (source) { source.close(); }
                var query = new URLSearchParams(new FormData(form));
                source = new EventSource('BASE/tail/events?' + query.toString());
                source.onopen = function () { state.textContent = 'Following.'; };
                source.onerror = function () { state.textContent = 'Reconnecting…'; };
                source.addEventListener('event', function (message) {
                  var e = JSON.parse(message.data);
                  var row = document.createElement('tr');
                  row.className = 'tail-event';
                  cell(row, e.position, 'num'); cell(row, e.stream); cell(row, e.version, 'num');
                  cell(row, e.type); cell(row, e.recorded); cell(row, e.payload);
                  rows.insertBefore(row, rows.firstChild);
                  while (rows.children.length > 200) { rows.removeChild(rows.lastChild); }
                });
              }
              form.addEventListener('submit', function (event) { event.preventDefault(); follow(); });
              follow();
            })();
            """;

    String projections(Optional<String> message) {
        List<ProjectionInfo> projections = ops.projections().list();
        StringBuilder body = new StringBuilder();
        message.ifPresent(m -> body.append("<p id=\"message\">").append(text(m)).append("</p>"));
        body.append("<table id=\"projections\"><thead><tr><th>Projection</th><th>State</th><th>Paused</th><th class=\"num\">Position</th>"
                + "<th class=\"num\">Head</th><th class=\"num\">Behind</th><th class=\"num\">Dead letters</th><th>Last error</th>"
                + (writes ? "<th>Operations</th>" : "") + "</tr></thead><tbody>");
        long max = Math.max(1, projections.stream().mapToLong(ProjectionInfo::behind).max().orElse(1));
        StringBuilder chart = new StringBuilder("<h2>Lag</h2><svg id=\"lag-chart\" role=\"img\" aria-label=\"lag\" width=\"620\" height=\"")
                .append(projections.size() * 22 + 10).append("\">");
        int i = 0;
        for (ProjectionInfo p : projections) {
            String name = text(p.name());
            body.append("<tr class=\"projection\" data-name=\"").append(name).append("\"><td>").append(name)
                    .append("</td><td class=\"state\">").append(text(p.state().orElse("—"))).append("</td><td class=\"paused\">")
                    .append(p.paused() ? "yes" : "no").append("</td><td class=\"num position\">")
                    .append(p.position()).append("</td><td class=\"num\">").append(p.head()).append("</td><td class=\"num behind\">")
                    .append(p.behind()).append("</td><td class=\"num\">").append(p.deadLetters()).append("</td><td class=\"error\">")
                    .append(text(p.lastError().orElse(""))).append("</td>");
            if (writes) {
                body.append("<td>").append(p.paused()
                                ? action("projections/" + param(p.name()) + "/resume", "Resume",
                                        "Resume " + p.name() + " from its checkpoint?", "")
                                : action("projections/" + param(p.name()) + "/pause", "Pause",
                                        "Pause " + p.name() + " in every process using this store?", ""))
                        .append(action("projections/" + param(p.name()) + "/reset", "Reset to",
                                "Move the checkpoint of " + p.name() + "?", "<input name=\"to\" size=\"8\" value=\"" + p.position() + "\">"))
                        .append(action("projections/" + param(p.name()) + "/rebuild", "Rebuild",
                                "Start " + p.name() + " again from the start of the log?", "")).append("</td>");
            }
            body.append("</tr>");
            long w = p.behind() * 400 / max;
            chart.append("<text x=\"0\" y=\"").append(i * 22 + 16).append("\">").append(name).append("</text><rect class=\"lag\" x=\"180\" y=\"")
                    .append(i * 22 + 4).append("\" width=\"").append(Math.max(1, w)).append("\" height=\"16\" fill=\"#d8843b\"></rect>")
                    .append("<text x=\"").append(186 + w).append("\" y=\"").append(i * 22 + 16).append("\">").append(p.behind()).append("</text>");
            i++;
        }
        body.append("</tbody></table>");
        if (projections.isEmpty()) {
            body.append("<p class=\"muted\">No projections: none has a checkpoint in this store.</p>");
        }
        body.append(chart).append("</svg>");
        body.append("<h2>Dead letters</h2><table id=\"dead-letters\"><thead><tr><th>Projection</th><th class=\"num\">Position</th>"
                + "<th>Stream</th><th>Type</th><th class=\"num\">Attempts</th><th>Failed</th><th>Error</th>"
                + (writes ? "<th>Operations</th>" : "") + "</tr></thead><tbody>");
        List<DeadLetter> letters = ops.deadLetters().list(Optional.empty());
        for (DeadLetter d : letters) {
            String stream = d.streamId().category() + "-" + d.streamId().id();
            body.append("<tr class=\"dead-letter\"><td>").append(text(d.projection())).append("</td><td class=\"num\">")
                    .append(d.position()).append("</td><td><a href=\"").append(base).append("/stream?id=").append(text(param(stream)))
                    .append("&amp;from=").append(d.streamVersion()).append("\">").append(text(stream)).append("</a> v")
                    .append(d.streamVersion()).append("</td><td>").append(text(d.type())).append("</td><td class=\"num\">")
                    .append(d.attempts()).append("</td><td>").append(text(d.failedAt())).append("</td><td class=\"error\">")
                    .append(text(d.error())).append("</td>");
            if (writes) {
                String path = "projections/" + param(d.projection()) + "/dead-letters/" + d.position();
                body.append("<td>");
                body.append(action(path + "/replay", "Replay", "Hand this event to " + d.projection() + " again?", ""));
                body.append(action(path + "/discard", "Discard", "Discard this dead letter for good?", "")).append("</td>");
            }
            body.append("</tr>");
        }
        body.append("</tbody></table>");
        if (letters.isEmpty()) {
            body.append("<p class=\"muted\">No dead letters.</p>");
        }
        return page("Projections", "projections", body.toString());
    }

    private String action(String path, String label, String question, String fields) {
        return "<form class=\"inline\" method=\"post\" action=\"" + base + "/" + text(path) + "\" data-confirm=\""
                + text(question) + "\" onsubmit=\"return confirm(this.dataset.confirm)\">" + fields
                + "<button type=\"submit\">" + text(label) + "</button></form> ";
    }

}
