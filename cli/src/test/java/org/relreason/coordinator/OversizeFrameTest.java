package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The probe over a real socket: a plain TCP client connects to a coordinator JVM's
 * event-bus port and sends the length prefix {@code 0x7ffffff0} followed by zeros. Before the frame
 * guard the coordinator buffered the whole announced frame (3.49 GB RSS, then {@code
 * OutOfMemoryError}); now the connection is closed after the prefix, the coordinator's resident
 * memory stays flat, and the run it then trains finishes with the refusal counted.
 */
class OversizeFrameTest {
  private static final long ATTACK_BYTES = 1536L << 20; // more than the coordinator's 1 GiB heap
  private static final long RSS_GROWTH_LIMIT = 256L << 20;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void oversizeFramePrefixClosesTheConnectionWithoutBufferingAndTheRunFinishes() throws Exception {
    ClusterProcesses.requireData();
    try (ClusterProcesses jvms = new ClusterProcesses(4, Map.of())) {
      int busPort = ClusterProcesses.freePort();
      Process coordinator =
          jvms.coordinator("oversize-coordinator", 2, "--bus-port", Integer.toString(busPort));
      awaitListening(busPort, coordinator);
      Thread.sleep(2000); // let start-up allocation settle before the baseline
      long before = rss(coordinator);
      AtomicLong peak = new AtomicLong(before);
      Thread sampler = sampleRss(coordinator, peak);

      long sent = sendOversizeFrame(busPort);
      Thread.sleep(3000); // anything buffered would still be resident
      sampler.interrupt();
      sampler.join();

      System.out.printf(
          "oversize frame: sent %d bytes; coordinator RSS %d MB before, peak %d MB%n",
          sent, before >> 20, peak.get() >> 20);
      assertThat(coordinator.isAlive()).as("coordinator survives the frame").isTrue();
      assertThat(peak.get() - before)
          .as("RSS growth (sent %d bytes, baseline %d bytes)", sent, before)
          .isLessThan(RSS_GROWTH_LIMIT);
      assertThat(sent)
          .as("the connection was closed long before the frame's end")
          .isLessThan(ATTACK_BYTES);

      jvms.worker("w0");
      jvms.worker("w1");
      assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as("the run finishes").isTrue();
      String log = Files.readString(ClusterProcesses.log("oversize-coordinator"));
      assertThat(coordinator.exitValue()).as(log).isZero();
      assertThat(log)
          .contains("steps 4,")
          .contains("oversize=1")
          .doesNotContain("OutOfMemoryError");
    }
  }

  /**
   * Sends the prefix and up to {@link #ATTACK_BYTES} zeros, for at most a minute (a coordinator
   * that stops reading while it runs out of memory would block the write forever); returns the
   * bytes written before the peer closed the connection.
   */
  private static long sendOversizeFrame(int port) throws Exception {
    AtomicLong sent = new AtomicLong();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
                  byte[] zeros = new byte[1 << 20];
                  while (sent.get() < ATTACK_BYTES) {
                    out.write(zeros);
                    sent.addAndGet(zeros.length);
                  }
                } catch (IOException closedByPeer) {
                  // "Connection reset" or "Broken pipe": what the guard's close looks like here
                }
              });
      writer.start();
      writer.join(60_000);
    } // closing the socket ends a blocked write
    return sent.get();
  }

  private static void awaitListening(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(p.isAlive()).as("coordinator started").isTrue();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        assertThat(System.nanoTime()).as("bus port %d listening", port).isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  private static Thread sampleRss(Process p, AtomicLong peak) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  peak.accumulateAndGet(rss(p), Math::max);
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException | RuntimeException gone) {
                  return; // process ended: the isAlive check reports it
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Resident set size of {@code p} in bytes, from {@code /proc/PID/status}. */
  static long rss(Process p) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for pid " + p.pid());
  }
}
