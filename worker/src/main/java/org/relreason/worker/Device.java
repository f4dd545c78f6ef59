package org.relreason.worker;

import org.nd4j.linalg.factory.Nd4j;
import org.relreason.protocol.v1.Backend;
import org.relreason.protocol.v1.Capabilities;

/** What ND4J actually loaded in this process (not what was asked for). */
public final class Device {
  private Device() {}

  /** The backend ND4J runs on: CUDA if its backend class is the CUDA one, else CPU. */
  public static Backend backend() {
    String name = Nd4j.getBackend().getClass().getName().toLowerCase(java.util.Locale.ROOT);
    return name.contains("cuda") || name.contains("cublas") ? Backend.CUDA : Backend.CPU;
  }

  /** Backend, device, cores, threads and memory of this process, for {@code WorkerHello}. */
  public static Capabilities capabilities() {
    Runtime rt = Runtime.getRuntime();
    Backend backend = backend();
    String device =
        backend == Backend.CUDA
            ? "cuda (" + Nd4j.getBackend().getClass().getSimpleName() + ")"
            : "cpu " + System.getProperty("os.arch") + " x" + rt.availableProcessors();
    return Capabilities.newBuilder()
        .setBackend(backend)
        .setDeviceName(device)
        .setCores(rt.availableProcessors())
        .setThreads(Nd4j.getEnvironment().maxThreads())
        .setHostMemoryBytes(rt.maxMemory())
        .build();
  }
}
