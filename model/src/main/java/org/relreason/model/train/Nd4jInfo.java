package org.relreason.model.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/** What ND4J runs on: backend, BLAS, threads, devices — logged at start-up and put in results. */
public final class Nd4jInfo {
  private Nd4jInfo() {}

  /** A description of the ND4J backend in use. */
  public static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("backend", Nd4j.getBackend().getClass().getSimpleName());
    m.put("natives", loadedNatives());
    m.put("blas_vendor", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
    m.put("threads", Integer.toString(Nd4j.getEnvironment().maxThreads()));
    m.put("master_threads", Integer.toString(Nd4j.getEnvironment().maxMasterThreads()));
    m.put("devices", Integer.toString(Nd4j.getAffinityManager().getNumberOfDevices()));
    m.put("data_type", Nd4j.dataType().toString());
    m.put("cpu_cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("omp_num_threads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
    return m;
  }

  /**
   * The platform directory of the libnd4j JNI library JavaCPP loaded, e.g. {@code
   * linux-x86_64-onednn-avx2} (the Maven classifier of the natives), or {@code unknown}.
   */
  static String loadedNatives() {
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      if (e.getKey().contains("nd4jcpu") || e.getKey().contains("nd4jcuda")) {
        Path dir = Path.of(e.getValue()).getParent();
        return dir == null ? e.getValue() : dir.getFileName().toString();
      }
    }
    return "unknown";
  }

  /** One line for the log. */
  public static String line() {
    StringBuilder sb = new StringBuilder("ND4J");
    describe().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }
}
