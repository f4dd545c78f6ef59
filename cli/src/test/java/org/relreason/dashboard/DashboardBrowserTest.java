package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.relreason.cli.Pretraining;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.run.TrainJob;
import org.relreason.model.run.TrainResult;
import org.relreason.observe.DashboardAccess;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium with the driver path given, so Selenium Manager never downloads anything)
 * while an embedded run with two workers trains: the charts gain points step by step, the worker
 * table lists the workers, the online probe's curve gets one point per probe, the evaluation
 * appears, and the page is saved as {@code target/screenshots/dashboard.png}.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void chartsWorkersAndEvaluationAppearLiveInChromium(@TempDir Path profile) throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && System.getenv("CI") != null) {
      fail(
          CHROMIUM
              + " or "
              + CHROMEDRIVER
              + " is missing: CI must install chromium chromium-driver");
    }
    Assumptions.assumeTrue(present, "no Debian chromium + chromium-driver on this machine");

    int steps = 40;
    java.util.Map<String, String> keys =
        new java.util.LinkedHashMap<>(TinyRuns.config(2, steps).asMap());
    keys.put("probe-every", "10"); // the online probe: a kNN point every 10 steps, 4 in all
    keys.put("probe-images", "100");
    TrainConfig config = TrainConfig.of(keys);
    try (RunWatch watch = RunWatch.start(config, DashboardAccess.ephemeral(), "127.0.0.1", 0)) {
      WebDriver browser = chromium(profile);
      try {
        browser.get(watch.dashboardUrl());
        // the page is connected and has its snapshot before the run starts
        waitFor("the event stream", () -> text(browser, "conn").equals("live"), 60);
        waitFor("the run state", () -> text(browser, "run").equals("waiting"), 30);
        assertThat(points(browser)).isZero();

        CompletableFuture<TrainResult> run =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return TrainJob.run(
                        config, watch.listener(), Pretraining.watched(config, watch));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        // watch the loss chart's point count while the steps come in
        List<Integer> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
          int p = points(browser);
          if (seen.isEmpty() || p != seen.get(seen.size() - 1)) {
            seen.add(p);
          }
          if (p >= steps) {
            break;
          }
          Thread.sleep(50);
        }
        assertThat(seen).as("point counts seen").isSorted().endsWith(steps);
        assertThat(seen.stream().filter(p -> p > 0 && p < steps).count())
            .as("counts seen between the first and the last step: %s", seen)
            .isGreaterThanOrEqualTo(2);
        for (String chart : new String[] {"accuracy", "throughput", "phases"}) {
          assertThat(browser.findElement(By.id(chart)).getDomAttribute("data-points"))
              .isEqualTo(Integer.toString(steps));
        }

        waitFor("two worker rows", () -> rows(browser, "workers").size() == 2, 30);
        List<WebElement> workers = rows(browser, "workers");
        assertThat(workers.get(0).getDomAttribute("data-worker")).isEqualTo("w0");
        assertThat(workers.get(1).getDomAttribute("data-worker")).isEqualTo("w1");
        assertThat(workers.get(0).getText()).contains("127.0.0.1").contains("CPU");

        TrainResult result = run.get(10, TimeUnit.MINUTES);
        waitFor("the evaluation rows", () -> rows(browser, "evals").size() >= 2, 60);
        String evals = browser.findElement(By.id("evals")).getText();
        assertThat(evals)
            .contains("linear")
            .contains("knn")
            .contains(String.format(Locale.ROOT, "%.4f", result.linearTop1()));
        assertThat(browser.findElement(By.id("evalchart")).getDomAttribute("data-points"))
            .isNotEqualTo("0");
        waitFor("the run state", () -> text(browser, "run").equals("finished"), 30);
        // the online probe's curve: one point per probe, the same values as the result's curve
        assertThat(result.probeCurve()).hasSize(steps / 10);
        waitFor(
            "the probe's points",
            () ->
                Integer.toString(steps / 10)
                    .equals(browser.findElement(By.id("probe")).getDomAttribute("data-points")),
            60);
        waitFor(
            "retrieval pictures",
            () -> !browser.findElements(By.cssSelector("#retrieval img")).isEmpty(),
            180);

        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.copy(
            shot.toPath(), dir.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(dir.resolve("dashboard.png"))).isGreaterThan(10_000);
      } finally {
        browser.quit();
      }
    }
  }

  private static WebDriver chromium(Path profile) {
    // The driver's path is given, so Selenium Manager is not asked to find (or fetch) one.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,2400",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  private static int points(WebDriver b) {
    String v = b.findElement(By.id("loss")).getDomAttribute("data-points");
    return v == null ? 0 : Integer.parseInt(v);
  }

  private static String text(WebDriver b, String id) {
    return b.findElement(By.id(id)).getText().strip();
  }

  private static List<WebElement> rows(WebDriver b, String table) {
    return b.findElements(By.cssSelector("#" + table + " tbody tr"));
  }

  private static void waitFor(String what, Supplier<Boolean> condition, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (condition.get()) {
        return;
      }
      Thread.sleep(100);
    }
    fail("timed out after " + seconds + " s waiting for " + what);
  }
}
