package dev.relato.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by its chromedriver. Under {@code CI=true} a browser that cannot start fails the
 * test; elsewhere the test is skipped.
 */
final class Browser {
    static final String CHROMIUM = System.getenv().getOrDefault("RELATO_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("RELATO_CHROMEDRIVER", "/usr/bin/chromedriver");

    private Browser() {
    }

    static WebDriver start(Path profile) {
        String problem = null;
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            problem = "Chromium and chromedriver are needed at " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install chromium chromium-driver)";
        } else {
            try {
                ChromeOptions options = new ChromeOptions();
                options.setBinary(CHROMIUM);
                options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1280,900",
                        "--user-data-dir=" + Files.createDirectories(profile).toAbsolutePath());
                ChromeDriverService service = new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
                return new ChromeDriver(service, options);
            } catch (IOException | RuntimeException e) {
                problem = "headless Chromium did not start: " + e.getMessage();
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(problem);
        }
        assumeTrue(false, problem);
        throw new AssertionError(problem);
    }
}
