package dev.relato.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Escaping and the page frame of the console. Every value rendered goes through {@link #text}. */
final class Html {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Html() {
    }

    /** {@code value} escaped for HTML text and attribute values. */
    static String text(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                        out.append('\uFFFD');
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A query parameter value. */
    static String param(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** JSON text indented for reading (as is if it does not parse), escaped. */
    static String prettyJson(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return text(JSON.writeValueAsString(node));
        } catch (IOException e) {
            return text(json);
        }
    }

    /** The whole page: header with navigation, then {@code body}. */
    static String page(String base, String title, String active, String store, boolean writes, String body) {
        StringBuilder nav = new StringBuilder();
        String[][] links = {{"", "Overview"}, {"streams", "Streams"}, {"tail", "Live tail"}, {"projections", "Projections"}};
        for (String[] link : links) {
            nav.append("<a href=\"").append(base).append('/').append(link[0]).append('"')
                    .append(link[0].equals(active) ? " class=\"active\"" : "").append('>').append(link[1]).append("</a>");
        }
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + text(title) + " · Relato console</title><style>" + STYLE + "</style></head><body>"
                + "<header><span class=\"brand\">Relato console</span><nav>" + nav + "</nav><span class=\"store\">"
                + text(store) + (writes ? " · writes allowed" : " · read-only") + "</span></header><main>"
                + "<h1>" + text(title) + "</h1>" + body + "</main></body></html>";
    }

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
            header{display:flex;gap:1.5rem;align-items:center;background:#1d2433;color:#fff;padding:.6rem 1.2rem}
            header a{color:#c8d1e0;text-decoration:none;margin-right:1rem}header a.active,header a:hover{color:#fff}
            .brand{font-weight:600}.store{margin-left:auto;font-size:.85rem;color:#9aa6bb}
            main{padding:1rem 1.5rem;max-width:1200px}h1{font-size:1.4rem;margin:.4rem 0 1rem}
            table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
            th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
            th{background:#eef1f5;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:.82rem}
            .cards{display:flex;gap:1rem;flex-wrap:wrap;margin-bottom:1rem}
            .card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:.8rem 1rem;min-width:10rem}
            .card .value{font-size:1.5rem;font-weight:600}.muted{color:#6b7587}.error{color:#b3261e}
            form.inline{display:inline}button{cursor:pointer;padding:.25rem .7rem}
            .filters{margin-bottom:1rem}.filters input{margin-right:.5rem}
            svg text{font-size:10px;fill:#6b7587}
            """;
}
