package org.relreason.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relreason.cli.fetch.DataFetch;
import org.relreason.cli.fetch.DatasetSources;
import org.relreason.cli.fetch.Downloader;
import org.relreason.cli.fetch.Progress;
import org.relreason.cli.fetch.RemoteFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code data fetch NAME} and {@code data list}: the datasets' official files. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Downloads the datasets' official files (checked, resumable, unpacked).",
    subcommands = {DataCommand.Fetch.class, DataCommand.ListSources.class})
final class DataCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description = {
        "Downloads a dataset's official files into DIR, checks their size and digest,",
        "and unpacks them into the layout --data-dir expects. An interrupted download",
        "resumes where it stopped when the same command runs again."
      })
  static final class Fetch implements Callable<Integer> {
    @Parameters(
        paramLabel = "NAME",
        description = "fashion-mnist, cifar10, cifar100, stl10, tiny-imagenet")
    String name;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "where to put it (default: data/fashion-mnist for fashion-mnist, else data)")
    Path dir;

    @Option(
        names = "--mirror",
        paramLabel = "URL",
        description = "fetch the same file names from this base URL instead of the publisher")
    URI mirror;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        description = "connect and read timeout (default: ${DEFAULT-VALUE})",
        defaultValue = "60")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      DatasetSources.Source source = DatasetSources.of(name);
      Path into = dir != null ? dir : Path.of(source.defaultDir());
      DataFetch fetch =
          new DataFetch(new Downloader(Duration.ofSeconds(timeoutSeconds)), new Bar());
      fetch.fetch(source, into, mirror);
      System.out.println(
          name + " is in " + into + ": train with --dataset " + name + " --data-dir " + into);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The fetchable datasets.")
  static final class ListSources implements Runnable {
    @Override
    public void run() {
      for (DatasetSources.Source s : DatasetSources.all().values()) {
        long bytes = s.files().stream().mapToLong(RemoteFile::size).sum();
        System.out.printf(
            "%-14s %8.1f MB  %s%n", s.name(), bytes / 1e6, s.files().get(0).url().getHost());
      }
    }
  }

  /** A progress bar per file on stderr: MB done of the total, rate and ETA. */
  private static final class Bar implements Progress {
    private ProgressBar bar;

    @Override
    public void start(String name, long total, long already) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(already > 0 ? name + " (resumed)" : name)
              .setInitialMax(total)
              .startsFrom(already, Duration.ZERO)
              .setUnit("MB", 1_000_000)
              .showSpeed()
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(500)
              .build();
    }

    @Override
    public void advance(long bytes) {
      bar.stepBy(bytes);
    }

    @Override
    public void end() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
