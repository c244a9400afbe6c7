package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.cli.console.ConsoleHandler;
import dev.relato.cli.console.ConsoleServer;
import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.StoreOptions;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.projection.ProjectionRunner;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The console's pages in a real headless Chromium, against a SQLite store with known events. */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path dir;
    private StoreTarget target;
    private Fixture fixture;
    private ConsoleServer server;
    private WebDriver browser;
    private String url;

    @BeforeEach
    void start() {
        Path file = dir.resolve("orders.db");
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            fixture = Fixture.write(events, events.checkpoints(), new SqliteDeadLetterStore(events));
        }
        target = StoreTarget.open("sqlite:" + file, StoreOptions.defaults());
    }

    private void serve(boolean writes) {
        server = ConsoleServer.start("127.0.0.1", 0, new ConsoleHandler(new Operations(target), writes));
        url = "http://127.0.0.1:" + server.port();
        browser = Browser.start(dir.resolve("chromium-profile"));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        target.close();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, WAIT);
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    @Test
    void overviewShowsTheHeadTheStoreAndTheEventRate() throws Exception {
        serve(false);
        browser.get(url + "/");
        assertThat(browser.getTitle()).isEqualTo("Overview · Relato console");
        assertThat(browser.findElement(By.id("head-position")).getText()).isEqualTo(Long.toString(fixture.c1.position()));
        assertThat(browser.findElement(By.id("store-kind")).getText()).isEqualTo("sqlite");
        assertThat(browser.findElement(By.id("projection-count")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.id("dead-letter-count")).getText()).isEqualTo("1");
        target.store().append(StreamId.of("Order", "o-3"), ExpectedVersion.noStream(),
                List.of(Fixture.event("OrderPlaced", "{}"), Fixture.event("OrderLineAdded", "{}")));
        waiting().until(b -> {
            b.navigate().refresh();
            return b.findElements(By.cssSelector("#rate-chart rect.bar")).stream()
                    .mapToLong(r -> Long.parseLong(r.getAttribute("data-count"))).sum() == 2;
        });
        screenshot("overview");
    }

    @Test
    void streamsAreSearchedByCategoryAndIdPrefixAndOpen() throws Exception {
        serve(false);
        browser.get(url + "/streams");
        assertThat(texts(By.cssSelector("#streams tbody tr td:first-child")))
                .containsExactly("Order-o-1", "Order-o-2", "Customer-c-1");
        screenshot("streams");
        browser.findElement(By.name("category")).sendKeys("Order");
        browser.findElement(By.name("prefix")).sendKeys("o-2");
        browser.findElement(By.cssSelector("form.filters button")).click();
        waiting().until(b -> b.getCurrentUrl().contains("category=Order"));
        assertThat(texts(By.cssSelector("#streams tbody tr td:first-child"))).containsExactly("Order-o-2");

        browser.get(url + "/streams");
        browser.findElement(By.linkText("Order-o-1")).click();
        waiting().until(b -> b.getTitle().startsWith("Order-o-1"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#events tr.event"));
        assertThat(rows).hasSize(3);
        assertThat(texts(By.cssSelector("#events tr.event td:nth-child(2)")))
                .containsExactly("OrderPlaced", "OrderLineAdded", "OrderConfirmed");
        assertThat(rows.get(1).findElement(By.cssSelector("pre.payload")).getText())
                .isEqualTo("{\n  \"sku\" : \"book\",\n  \"quantity\" : 2\n}");
        assertThat(rows.get(1).findElement(By.cssSelector("pre.metadata")).getText()).contains("$correlationId=corr-1");
        assertThat(browser.findElements(By.tagName("button"))).as("read-only: no removal")
                .extracting(WebElement::getText).doesNotContain("Delete stream", "Truncate before version");
        assertThat(rows.get(1).findElement(By.cssSelector("td:nth-child(3)")).getText())
                .isEqualTo(Long.toString(fixture.o1.get(1).position()));
        screenshot("stream");

        browser.findElement(By.name("from")).clear();
        browser.findElement(By.name("from")).sendKeys("2");
        browser.findElement(By.cssSelector("form.filters button")).click();
        waiting().until(b -> b.getCurrentUrl().contains("from=2"));
        assertThat(texts(By.cssSelector("#events tr.event td:first-child"))).containsExactly("2", "3");

        String asOf = fixture.o1.get(0).recordedAt().toString();
        browser.get(url + "/stream?id=Order-o-1&asOf=" + asOf);
        long expected = fixture.o1.stream().filter(e -> !e.recordedAt().isAfter(fixture.o1.get(0).recordedAt())).count();
        assertThat(browser.findElements(By.cssSelector("#events tr.event"))).hasSize((int) expected);
    }

    @Test
    void aPayloadHoldingMarkupShowsAsText() {
        serve(false);
        browser.get(url + "/stream?id=Order-o-2");
        WebElement payload = browser.findElement(By.cssSelector("#events pre.payload"));
        assertThat(payload.getText()).contains("\"note\" : \"" + Fixture.MARKUP + "\"");
        assertThat(payload.findElements(By.tagName("script"))).isEmpty();
        assertThat(browser.findElements(By.tagName("script"))).isEmpty();
        try {
            browser.switchTo().alert();
            throw new AssertionError("the payload's script ran");
        } catch (NoAlertPresentException expected) {
            // the script was shown, not run
        }
    }

    @Test
    void theLiveTailShowsEventsAsTheyAreAppended() throws Exception {
        serve(false);
        browser.get(url + "/tail");
        waiting().until(b -> b.findElement(By.id("tail-state")).getText().equals("Following."));
        target.store().append(StreamId.of("Order", "o-9"), ExpectedVersion.noStream(),
                List.of(Fixture.event("OrderPlaced", "{\"customer\":\"<b>carol</b>\"}")));
        waiting().until(b -> !b.findElements(By.cssSelector("#tail tr.tail-event")).isEmpty());
        WebElement row = browser.findElement(By.cssSelector("#tail tr.tail-event"));
        assertThat(row.getText()).contains("Order-o-9", "OrderPlaced", "{\"customer\":\"<b>carol</b>\"}");
        screenshot("tail");

        browser.findElement(By.name("type")).sendKeys("OrderShipped");
        browser.findElement(By.cssSelector("#tail-filters button")).click();
        waiting().until(b -> b.findElement(By.id("tail-state")).getText().equals("Following."));
        target.store().append(StreamId.of("Order", "o-9"), ExpectedVersion.exactly(1),
                List.of(Fixture.event("OrderLineAdded", "{}"), Fixture.event("OrderShipped", "{}")));
        waiting().until(b -> b.findElements(By.cssSelector("#tail tr.tail-event")).size() == 2);
        assertThat(texts(By.cssSelector("#tail tr.tail-event td:nth-child(4)"))).containsExactly("OrderShipped", "OrderPlaced");
    }

    @Test
    void projectionsShowStateLagAndDeadLettersAndAreReadOnlyByDefault() throws Exception {
        serve(false);
        browser.get(url + "/projections");
        WebElement row = browser.findElement(By.cssSelector("#projections tr.projection"));
        assertThat(row.getAttribute("data-name")).isEqualTo(Fixture.PROJECTION);
        assertThat(row.findElement(By.cssSelector(".position")).getText()).isEqualTo(Long.toString(fixture.o1.get(2).position()));
        assertThat(row.findElement(By.cssSelector(".behind")).getText())
                .isEqualTo(Long.toString(fixture.c1.position() - fixture.o1.get(2).position()));
        assertThat(browser.findElements(By.cssSelector("#lag-chart rect.lag"))).hasSize(1);
        WebElement letter = browser.findElement(By.cssSelector("#dead-letters tr.dead-letter"));
        assertThat(letter.getText()).contains("Order-o-2", "no such customer: bob");
        assertThat(browser.findElements(By.tagName("button"))).extracting(WebElement::getText)
                .doesNotContain("Discard", "Rebuild", "Pause");
        assertThat(row.findElement(By.cssSelector(".paused")).getText()).isEqualTo("no");
        screenshot("projections");

        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url
                        + "/projections/order-list/rebuild")).header("Origin", url)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("read-only");
        assertThat(target.checkpoints().load(Fixture.PROJECTION)).isEqualTo(fixture.o1.get(2).position());
    }

    @Test
    void withWritesAllowedOperationsAskForConfirmation() throws Exception {
        serve(true);
        HttpResponse<String> foreign = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url
                        + "/projections/order-list/rebuild")).header("Origin", "http://elsewhere.example")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).as("a form posted from another site").isEqualTo(403);
        browser.get(url + "/projections");
        browser.findElement(By.xpath("//tr[@class='dead-letter']//button[text()='Discard']")).click();
        browser.switchTo().alert().dismiss();
        assertThat(target.deadLetters().list(Fixture.PROJECTION)).hasSize(1);
        browser.findElement(By.xpath("//tr[@class='dead-letter']//button[text()='Discard']")).click();
        browser.switchTo().alert().accept();
        waiting().until(b -> !b.findElements(By.id("message")).isEmpty());
        assertThat(browser.findElement(By.id("message")).getText()).contains("discarded the dead letter of order-list");
        assertThat(target.deadLetters().list(Fixture.PROJECTION)).isEmpty();

        WebElement to = browser.findElement(By.cssSelector("tr.projection input[name=to]"));
        to.clear();
        to.sendKeys(Long.toString(fixture.o1.get(0).position()));
        browser.findElement(By.xpath("//tr[@class='projection']//button[text()='Reset to']")).click();
        browser.switchTo().alert().accept();
        waiting().until(b -> b.findElement(By.id("message")).getText().startsWith("reset"));
        assertThat(target.checkpoints().load(Fixture.PROJECTION)).isEqualTo(fixture.o1.get(0).position());
        browser.findElement(By.xpath("//tr[@class='projection']//button[text()='Rebuild']")).click();
        browser.switchTo().alert().accept();
        waiting().until(b -> b.findElement(By.id("message")).getText().startsWith("rebuilding"));
        assertThat(browser.findElement(By.cssSelector("tr.projection .position")).getText()).isEqualTo("0");
    }

    @Test
    void pauseAndResumeButtonsStopAndStartTheProjectionsRunner() throws Exception {
        serve(true);
        Set<String> customers = ConcurrentHashMap.newKeySet();
        try (ProjectionRunner<Set<String>> runner = PauseRoundTrip.start(target.store(), target.checkpoints(), customers)) {
            browser.get(url + "/projections");
            String row = "//tr[@data-name='" + PauseRoundTrip.PROJECTION + "']";
            assertThat(browser.findElement(By.xpath(row + "//td[@class='paused']")).getText()).isEqualTo("no");
            browser.findElement(By.xpath(row + "//button[text()='Pause']")).click();
            browser.switchTo().alert().dismiss();
            assertThat(target.checkpoints().isPaused(PauseRoundTrip.PROJECTION)).isFalse();
            browser.findElement(By.xpath(row + "//button[text()='Pause']")).click();
            browser.switchTo().alert().accept();
            waiting().until(b -> b.findElement(By.id("message")).getText().startsWith("paused"));
            assertThat(browser.findElement(By.xpath(row + "//td[@class='paused']")).getText()).isEqualTo("yes");
            PauseRoundTrip.awaitPaused(runner);
            long noted = PauseRoundTrip.note(target.store(), "carol");
            assertThat(runner.awaitPosition(noted, Duration.ofMillis(500))).as("a paused runner handles nothing").isFalse();
            assertThat(customers).doesNotContain("carol");

            browser.findElement(By.xpath(row + "//button[text()='Resume']")).click();
            browser.switchTo().alert().accept();
            waiting().until(b -> b.findElement(By.id("message")).getText().startsWith("resumed"));
            assertThat(browser.findElement(By.xpath(row + "//td[@class='paused']")).getText()).isEqualTo("no");
            assertThat(runner.awaitPosition(noted, WAIT)).isTrue();
            assertThat(customers).contains("carol");
        }
    }

    @Test
    void withWritesAllowedStreamsAreTruncatedAndDeletedAfterConfirmation() throws Exception {
        serve(true);
        browser.get(url + "/stream?id=Order-o-1");
        WebElement before = browser.findElement(By.name("before"));
        before.clear();
        before.sendKeys("3");
        browser.findElement(By.xpath("//button[text()='Truncate before version']")).click();
        browser.switchTo().alert().dismiss();
        assertThat(target.store().read(Fixture.O1)).hasSize(3);
        browser.findElement(By.xpath("//button[text()='Truncate before version']")).click();
        browser.switchTo().alert().accept();
        waiting().until(b -> !b.findElements(By.id("message")).isEmpty());
        assertThat(browser.findElement(By.id("message")).getText())
                .isEqualTo("truncated Order-o-1 before version 3: 2 events removed");
        assertThat(target.store().read(Fixture.O1)).extracting(e -> e.streamVersion()).containsExactly(3L);

        browser.get(url + "/stream?id=Order-o-2");
        browser.findElement(By.xpath("//button[text()='Delete stream']")).click();
        browser.switchTo().alert().dismiss();
        assertThat(target.store().read(Fixture.O2)).hasSize(1);
        browser.findElement(By.xpath("//button[text()='Delete stream']")).click();
        browser.switchTo().alert().accept();
        waiting().until(b -> !b.findElements(By.id("message")).isEmpty());
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("deleted Order-o-2: 1 events removed");
        assertThat(target.store().read(Fixture.O2)).isEmpty();
        assertThat(texts(By.cssSelector("#streams tbody tr td:first-child"))).doesNotContain("Order-o-2");
    }

    @Test
    void badInputGetsAClearErrorPage() throws Exception {
        serve(false);
        browser.get(url + "/stream?id=Order-nope");
        assertThat(browser.findElement(By.id("error")).getText()).isEqualTo("no stream 'Order-nope'");
        browser.get(url + "/stream?id=Order-o-1&asOf=yesterday");
        assertThat(browser.findElement(By.id("error")).getText()).contains("is not an ISO-8601 instant");
        browser.get(url + "/stream?id=Order-" + "x".repeat(10_000));
        assertThat(browser.findElement(By.id("error")).getText()).contains("is 10006 characters long");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> nul = http.send(HttpRequest.newBuilder(URI.create(url + "/stream?id=Order-a%00b")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.body()).contains("control character U+0000");
        HttpResponse<String> surrogate = http.send(HttpRequest.newBuilder(URI.create(url + "/stream?id=Order-a%ED%A0%80b"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(surrogate.statusCode()).isEqualTo(400);
        HttpResponse<String> position = http.send(HttpRequest.newBuilder(URI.create(url + "/streams?after=x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(position.statusCode()).isEqualTo(400);
        assertThat(position.body()).contains("after &#39;x&#39; is not a whole number");
    }

    private List<String> texts(By selector) {
        return browser.findElements(selector).stream().map(WebElement::getText).toList();
    }
}
