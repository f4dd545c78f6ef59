package org.relreason.cli.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.data.Cifar10Reader;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.MnistReader;
import org.relreason.model.data.Split;

/**
 * {@code data fetch} against a file server on 127.0.0.1 serving files in the official formats:
 * fetched, checked and unpacked into what the readers read; resumed after an interrupted transfer;
 * refused (and cleaned up) on a wrong digest; kept for resuming when truncated; a 404 named.
 * Nothing here touches the internet.
 */
class DataFetchTest {
  private LoopbackServer server;
  private final Downloader downloader = new Downloader(Duration.ofSeconds(10));

  @BeforeEach
  void start() throws IOException {
    server = new LoopbackServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RemoteFile served(String name, byte[] bytes, RemoteFile.Unpack unpack) throws Exception {
    server.put(name, bytes);
    return new RemoteFile(
        server.base().resolve(name), bytes.length, "SHA-256", sha256(bytes), unpack);
  }

  @Test
  void aCifar10ArchiveIsFetchedCheckedAndUnpackedIntoWhatTheReaderReads(@TempDir Path dir)
      throws Exception {
    // the official layout: cifar-10-batches-bin/data_batch_{1..5}.bin and test_batch.bin, each a
    // run of 3073-byte records (label, 1024 R, 1024 G, 1024 B)
    Random r = new Random(3);
    ByteArrayOutputStream tgz = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(tgz))) {
      for (String f :
          List.of(
              "data_batch_1.bin",
              "data_batch_2.bin",
              "data_batch_3.bin",
              "data_batch_4.bin",
              "data_batch_5.bin",
              "test_batch.bin")) {
        byte[] records = new byte[2 * 3073];
        r.nextBytes(records);
        records[0] = 3;
        records[3073] = 7;
        TarArchiveEntry e = new TarArchiveEntry(Cifar10Reader.SUBDIR + "/" + f);
        e.setSize(records.length);
        tar.putArchiveEntry(e);
        tar.write(records);
        tar.closeArchiveEntry();
      }
    }
    RemoteFile f = served("cifar-10-binary.tar.gz", tgz.toByteArray(), RemoteFile.Unpack.TAR_GZ);
    AtomicLong reported = new AtomicLong();
    Progress counting =
        new Progress() {
          @Override
          public void advance(long bytes) {
            reported.addAndGet(bytes);
          }
        };
    new DataFetch(downloader, counting)
        .fetch(new DatasetSources.Source("cifar10", "data", List.of(f)), dir, null);
    assertThat(reported.get()).isEqualTo(f.size());
    ImageSet train = new Cifar10Reader(dir).read(Split.TRAIN);
    assertThat(train.size()).isEqualTo(10);
    assertThat(train.label(0)).isEqualTo(3);
    assertThat(train.label(1)).isEqualTo(7);
    assertThat(new Cifar10Reader(dir).read(Split.TEST).size()).isEqualTo(2);
    assertThat(dir.resolve("cifar-10-binary.tar.gz.part")).doesNotExist();
    // fetched again: the checked file is kept, nothing is downloaded
    int requests = server.ranges.size();
    new DataFetch(downloader, Progress.NONE)
        .fetch(new DatasetSources.Source("cifar10", "data", List.of(f)), dir, null);
    assertThat(server.ranges).hasSize(requests);
  }

  @Test
  void fashionMnistThroughAMirrorIsReadAsItsGzipFiles(@TempDir Path dir) throws Exception {
    // four IDX files, gzipped, under the official names; the reader takes the .gz files
    List<RemoteFile> files =
        List.of(
            served("train-images-idx3-ubyte.gz", gz(idxImages(3)), RemoteFile.Unpack.NONE),
            served("train-labels-idx1-ubyte.gz", gz(idxLabels(3)), RemoteFile.Unpack.NONE),
            served("t10k-images-idx3-ubyte.gz", gz(idxImages(2)), RemoteFile.Unpack.NONE),
            served("t10k-labels-idx1-ubyte.gz", gz(idxLabels(2)), RemoteFile.Unpack.NONE));
    // as --mirror does: the same names from another base (here the same server)
    List<RemoteFile> official =
        files.stream()
            .map(
                f ->
                    new RemoteFile(
                        URI.create("http://publisher.invalid/fmnist/" + f.name()),
                        f.size(),
                        f.algorithm(),
                        f.checksum(),
                        f.unpack()))
            .toList();
    new DataFetch(downloader, Progress.NONE)
        .fetch(new DatasetSources.Source("fashion-mnist", "x", official), dir, server.base());
    ImageSet train = new MnistReader(dir, "fashion-mnist").read(Split.TRAIN);
    assertThat(train.size()).isEqualTo(3);
    assertThat(train.label(2)).isEqualTo(2);
  }

  @Test
  void anInterruptedDownloadIsKeptAndResumedWithARangeRequest(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[300_000];
    new Random(1).nextBytes(bytes);
    RemoteFile f = served("big.bin", bytes, RemoteFile.Unpack.NONE);
    server.cutNextAfter("big.bin", 100_000);
    assertThatThrownBy(() -> downloader.fetch(f, dir, Progress.NONE))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("interrupted after")
        .hasMessageContaining("run the same command again to resume");
    Path part = dir.resolve("big.bin.part");
    assertThat(part).exists();
    long kept = Files.size(part);
    assertThat(kept).isPositive().isLessThan(bytes.length);
    // the same command again: a Range request for the rest, then the whole file checks out
    Path done = downloader.fetch(f, dir, Progress.NONE);
    assertThat(server.ranges).last().isEqualTo("bytes=" + kept + "-");
    assertThat(Files.readAllBytes(done)).isEqualTo(bytes);
    assertThat(part).doesNotExist();
  }

  @Test
  void aServerWithoutRangeSupportIsDownloadedAgainFromTheStart(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[50_000];
    new Random(2).nextBytes(bytes);
    RemoteFile f = served("norange.bin", bytes, RemoteFile.Unpack.NONE);
    Files.write(dir.resolve("norange.bin.part"), new byte[] {1, 2, 3});
    server.rangeSupport = false;
    assertThat(Files.readAllBytes(downloader.fetch(f, dir, Progress.NONE))).isEqualTo(bytes);
  }

  @Test
  void aWrongChecksumRemovesThePartialFile(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[10_000];
    new Random(4).nextBytes(bytes);
    RemoteFile f = served("cifar-100-binary.tar.gz", bytes, RemoteFile.Unpack.TAR_GZ);
    byte[] corrupt = bytes.clone();
    corrupt[5000] ^= 1;
    server.put("cifar-100-binary.tar.gz", corrupt);
    assertThatThrownBy(() -> downloader.fetch(f, dir, Progress.NONE))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("SHA-256 mismatch")
        .hasMessageContaining(f.checksum())
        .hasMessageContaining(sha256(corrupt))
        .hasMessageContaining("partial file was removed");
    assertThat(dir.resolve("cifar-100-binary.tar.gz.part")).doesNotExist();
    assertThat(dir.resolve("cifar-100-binary.tar.gz")).doesNotExist();
  }

  @Test
  void aTruncatedFileOnTheServerIsReportedAndKeptForResuming(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[20_000];
    new Random(5).nextBytes(bytes);
    RemoteFile f = served("stl10_binary.tar.gz", bytes, RemoteFile.Unpack.TAR_GZ);
    // the server's copy is cut short: a complete response of 12,000 bytes
    server.put("stl10_binary.tar.gz", java.util.Arrays.copyOf(bytes, 12_000));
    assertThatThrownBy(() -> downloader.fetch(f, dir, Progress.NONE))
        .hasMessageContaining("received 12000 of 20000 bytes")
        .hasMessageContaining("resume");
    assertThat(dir.resolve("stl10_binary.tar.gz")).doesNotExist();
    // once the server has the whole file again, the next run fetches only the rest
    server.put("stl10_binary.tar.gz", bytes);
    assertThat(Files.readAllBytes(downloader.fetch(f, dir, Progress.NONE))).isEqualTo(bytes);
    assertThat(server.ranges).last().isEqualTo("bytes=12000-");
  }

  @Test
  void aMissingFileIsA404NamingTheUrl(@TempDir Path dir) throws Exception {
    RemoteFile f =
        new RemoteFile(
            server.base().resolve("tiny-imagenet-200.zip"),
            10,
            "MD5",
            "0123456789abcdef0123456789abcdef",
            RemoteFile.Unpack.ZIP);
    assertThatThrownBy(() -> downloader.fetch(f, dir, Progress.NONE))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining(f.url().toString());
    assertThat(dir.resolve("tiny-imagenet-200.zip.part")).doesNotExist();
  }

  @Test
  void aZipIsUnpackedAndAnEntryLeavingTheDirectoryIsRefused(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(ok))) {
      z.putNextEntry(new ZipEntry("tiny-imagenet-200/wnids.txt"));
      z.write("n01443537\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      z.closeEntry();
    }
    Path out = dir.resolve("out");
    assertThat(Unpacker.unpack(ok, RemoteFile.Unpack.ZIP, out)).isEqualTo(1);
    assertThat(out.resolve("tiny-imagenet-200/wnids.txt")).hasContent("n01443537");
    Path evil = dir.resolve("evil.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
      z.putNextEntry(new ZipEntry("../escaped.txt"));
      z.write(1);
      z.closeEntry();
    }
    assertThatThrownBy(() -> Unpacker.unpack(evil, RemoteFile.Unpack.ZIP, out))
        .hasMessageContaining("'../escaped.txt'")
        .hasMessageContaining("outside");
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
  }

  @Test
  void everyDatasetHasItsPublishersUrlsSizesAndDigests() {
    assertThat(DatasetSources.all().keySet())
        .containsExactly("fashion-mnist", "cifar10", "cifar100", "stl10", "tiny-imagenet");
    assertThat(DatasetSources.of("cifar10").files().get(0).url().toString())
        .isEqualTo("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    assertThat(DatasetSources.of("fashion-mnist").files()).hasSize(4);
    for (DatasetSources.Source s : DatasetSources.all().values()) {
      for (RemoteFile f : s.files()) {
        assertThat(f.url().getHost())
            .isIn(
                "fashion-mnist.s3-website.eu-central-1.amazonaws.com",
                "www.cs.toronto.edu",
                "ai.stanford.edu",
                "cs231n.stanford.edu");
        assertThat(f.size()).isPositive();
        // SHA-256 everywhere a publisher's or a registry's is known; tiny-ImageNet has only MD5
        assertThat(f.algorithm()).isEqualTo(s.name().equals("tiny-imagenet") ? "MD5" : "SHA-256");
      }
    }
    assertThatThrownBy(() -> DatasetSources.of("imagenet"))
        .hasMessageContaining("'imagenet'")
        .hasMessageContaining("cifar10");
  }

  private static byte[] idxImages(int n) {
    byte[] b = new byte[16 + n * 28 * 28];
    java.nio.ByteBuffer.wrap(b).putInt(0x803).putInt(n).putInt(28).putInt(28);
    return b;
  }

  private static byte[] idxLabels(int n) {
    byte[] b = new byte[8 + n];
    java.nio.ByteBuffer.wrap(b).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) {
      b[8 + i] = (byte) i;
    }
    return b;
  }

  private static byte[] gz(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(raw);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
