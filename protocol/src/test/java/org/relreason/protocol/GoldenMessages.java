package org.relreason.protocol;

import com.google.protobuf.Message;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relreason.protocol.v1.Backend;
import org.relreason.protocol.v1.Capabilities;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.EvalResult;
import org.relreason.protocol.v1.EvalTask;
import org.relreason.protocol.v1.FeatureGradients;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.IndexRange;
import org.relreason.protocol.v1.OptimizerState;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.Tensor;
import org.relreason.protocol.v1.WorkerHello;

/**
 * One message of each v1 wire type with fixed contents, and the generator of the golden files.
 *
 * <p>The files in {@code src/test/resources/golden/v1} were written once by {@link #main} and are
 * committed; {@code GoldenFilesTest} decodes those files, not these objects, so a later change here
 * cannot hide an incompatible change of the protocol. {@link #main} never overwrites a file, so
 * running it again only adds files for new types. From the repository root:
 *
 * <pre>
 * mvn -q -pl protocol test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp protocol/target/test-classes:protocol/target/classes:$(cat protocol/target/cp.txt) \
 *     org.relreason.protocol.GoldenMessages protocol/src/test/resources/golden/v1
 * </pre>
 */
final class GoldenMessages {
  static final String RUN_ID = "golden-run-0001";

  private GoldenMessages() {}

  static Header header(String sender, long step, long paramVersion) {
    return Header.newBuilder()
        .setProtocolVersion(1)
        .setRunId(RUN_ID)
        .setStep(step)
        .setParamVersion(paramVersion)
        .setSenderId(sender)
        .setSentUnixMillis(1_767_225_600_000L) // 2026-01-01T00:00:00Z
        .build();
  }

  /** Every wire type, keyed by its simple class name (the golden file's name), in a fixed order. */
  static Map<String, Message> all() {
    List<Message> messages =
        List.of(
            workerHello(),
            registrationReply(),
            heartbeat(),
            disconnect(),
            shardTask(),
            shardResult(),
            features(),
            featureGradients(),
            parameterSnapshot(),
            parameterRequest(),
            evalTask(),
            evalResult(),
            error());
    Map<String, Message> byName = new LinkedHashMap<>();
    messages.forEach(m -> byName.put(m.getClass().getSimpleName(), m));
    return byName;
  }

  static WorkerHello workerHello() {
    return WorkerHello.newBuilder()
        .setHeader(header("worker-0", 0, 0))
        .setWorkerId("worker-0")
        .setHost("node-a.example")
        .setPid(4242)
        .setCapabilities(
            Capabilities.newBuilder()
                .setBackend(Backend.CPU)
                .setDeviceName("Intel Xeon (test)")
                .setCores(2)
                .setThreads(2)
                .setHostMemoryBytes(8L << 30)
                .setDeviceMemoryBytes(0))
        .setModelConfigHash("sha256:00112233")
        .addSupportedProtocolVersions(1)
        .setSoftwareVersion("0.1.0-SNAPSHOT")
        .build();
  }

  static RegistrationReply registrationReply() {
    return RegistrationReply.newBuilder()
        .setHeader(header("coordinator", 0, 0))
        .setAccepted(false)
        .setRefusalReason(RegistrationReply.RefusalReason.MODEL_CONFIG_MISMATCH)
        .setRefusalText("model_config_hash sha256:00112233 != sha256:44556677")
        .setHeartbeatIntervalMs(1000)
        .setHeartbeatTimeoutMs(5000)
        .build();
  }

  static Heartbeat heartbeat() {
    return Heartbeat.newBuilder()
        .setHeader(header("worker-0", 17, 17))
        .setWorkerId("worker-0")
        .setState(Heartbeat.State.COMPUTING)
        .setLastStep(16)
        .setViewsPerSecond(412.5)
        .setTimestampUnixMillis(1_767_225_601_000L)
        .build();
  }

  static Disconnect disconnect() {
    return Disconnect.newBuilder()
        .setHeader(header("coordinator", 17, 17))
        .setWorkerId("worker-1")
        .setReason(Disconnect.Reason.HEARTBEAT_TIMEOUT)
        .setDetail("no heartbeat for 5000 ms")
        .build();
  }

  static ShardTask shardTask() {
    return ShardTask.newBuilder()
        .setHeader(header("coordinator", 17, 17))
        .setShardId(1)
        .setShardCount(2)
        .setMode(ShardingMode.IMAGES)
        .setSeed(1234)
        .setEpoch(3)
        .addAllImageIndices(List.of(7, 11, 59_999))
        .setK(4)
        .setM(6)
        .setDeadlineMs(30_000)
        .addAllLabels(List.of(3, -1, 9))
        .build();
  }

  static ShardResult shardResult() {
    return ShardResult.newBuilder()
        .setHeader(header("worker-0", 17, 17))
        .setShardId(1)
        .setLossSum(12.75)
        .setPairCount(96)
        .setPositivePairs(48)
        .setPositiveCorrect(40)
        .setNegativeCorrect(45)
        .setGradient(Tensors.float32(new float[] {0.5f, -0.25f, 0f, 1e-3f, 0f, 3f}, 6))
        .setBnStatDeltas(Tensors.float32(new float[] {0.125f, -0.5f}, 2))
        .addBnStatRanges(IndexRange.newBuilder().setStart(4).setEnd(6))
        .setImageCount(3)
        .setComputeMicros(1_250_000)
        .build();
  }

  static Features features() {
    return Features.newBuilder()
        .setHeader(header("worker-0", 18, 18))
        .setShardId(0)
        .addAllViewIndices(List.of(0, 5))
        .setFeatures(
            Tensors.encode(
                new float[] {1f, -2f, 0.5f, 65504f, 0f, -0.125f}, Tensor.DType.FLOAT16, 2, 3))
        .build();
  }

  static FeatureGradients featureGradients() {
    return FeatureGradients.newBuilder()
        .setHeader(header("coordinator", 18, 18))
        .setShardId(0)
        .addAllViewIndices(List.of(0, 5))
        .setGradients(
            Tensors.encode(
                new float[] {1f, -2f, 0.5f, 3f, 0f, -0.125f}, Tensor.DType.BFLOAT16, 2, 3))
        .build();
  }

  static ParameterSnapshot parameterSnapshot() {
    return ParameterSnapshot.newBuilder()
        .setHeader(header("coordinator", 18, 18))
        .setKind(ParameterSnapshot.Kind.FULL)
        .setParams(Tensors.float32(new float[] {0.1f, 0.2f, -0.3f, 0.4f, 1f, 0f}, 6))
        .setOptimizerState(
            OptimizerState.newBuilder()
                .setName("adam")
                .setIteration(18)
                .setState(Tensors.float32(new float[12], 12)))
        .setModelConfigHash("sha256:00112233")
        .build();
  }

  static ParameterRequest parameterRequest() {
    return ParameterRequest.newBuilder()
        .setHeader(header("worker-0", 18, 18))
        .setWorkerId("worker-0")
        .setHaveVersion(17)
        .setAcceptDelta(true)
        .setIncludeOptimizerState(false)
        .build();
  }

  static EvalTask evalTask() {
    return EvalTask.newBuilder()
        .setHeader(header("coordinator", 2000, 2000))
        .setEvalId("step-2000-linear")
        .setProtocol("linear")
        .setDataset("fashion-mnist")
        .setSeed(99)
        .setLinearEpochs(10)
        .setMaxTrainImages(5000)
        .build();
  }

  static EvalResult evalResult() {
    return EvalResult.newBuilder()
        .setHeader(header("worker-0", 2000, 2000))
        .setEvalId("step-2000-linear")
        .setProtocol("linear")
        .setDataset("fashion-mnist")
        .setTop1(0.8125)
        .setTop5(0.9921875)
        .setTestImages(10_000)
        .setDurationMillis(42_000)
        .build();
  }

  static Error error() {
    return Error.newBuilder()
        .setHeader(header("coordinator", 18, 18))
        .setCode(Error.Code.STALE)
        .setDetail("computed with parameter version 16, current is 18 (allowed lag 0)")
        .setMessageType("relreason.v1.ShardResult")
        .build();
  }

  /** The codec wire form of {@code message}: what a golden file holds. */
  static byte[] wireBytes(Message message) {
    return wire(message).getBytes();
  }

  private static <T extends Message> Buffer wire(T message) {
    @SuppressWarnings("unchecked") // message.getClass() is Class<T> for generated (final) classes.
    Class<T> type = (Class<T>) message.getClass();
    ProtoCodec<T> codec = Codecs.find(Codecs.codecs(ProtoCodec.DEFAULT_MAX_BYTES), type);
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, message);
    return buffer;
  }

  /**
   * Writes {@code <Type>.bin} for every wire type into the directory given as argument, skipping
   * files that exist (a committed golden file is never rewritten).
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GoldenMessages <output directory>");
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    for (Map.Entry<String, Message> entry : all().entrySet()) {
      Path file = dir.resolve(entry.getKey() + ".bin");
      if (Files.exists(file)) {
        System.out.println("kept " + file);
        continue;
      }
      Files.write(file, wireBytes(entry.getValue()), StandardOpenOption.CREATE_NEW);
      System.out.println("wrote " + file + " (" + Files.size(file) + " bytes)");
    }
  }
}
