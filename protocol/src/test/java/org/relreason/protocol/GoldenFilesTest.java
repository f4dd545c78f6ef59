package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Message;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Backend;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.EvalResult;
import org.relreason.protocol.v1.EvalTask;
import org.relreason.protocol.v1.FeatureGradients;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.Tensor;
import org.relreason.protocol.v1.WorkerHello;

/**
 * Compatibility test: decodes the v1 messages committed under {@code golden/v1} (written once by
 * {@link GoldenMessages#main}) and checks their fields one by one. Every later protocol version
 * must keep this test passing unchanged; a failure here means old peers or old recordings can no
 * longer be read.
 */
class GoldenFilesTest {
  private static final List<ProtoCodec<?>> CODECS = Codecs.codecs(ProtoCodec.DEFAULT_MAX_BYTES);

  @Test
  void everyWireTypeHasAGoldenFile() {
    for (Class<? extends Message> type : Codecs.WIRE_TYPES) {
      assertThat(GoldenFilesTest.class.getResource(path(type)))
          .as("golden file for %s", type.getSimpleName())
          .isNotNull();
    }
  }

  @Test
  void workerHello() {
    WorkerHello m = read(WorkerHello.class);
    assertHeader(m.getHeader(), "worker-0", 0, 0);
    assertThat(m.getWorkerId()).isEqualTo("worker-0");
    assertThat(m.getHost()).isEqualTo("node-a.example");
    assertThat(m.getPid()).isEqualTo(4242);
    assertThat(m.getCapabilities().getBackend()).isEqualTo(Backend.CPU);
    assertThat(m.getCapabilities().getDeviceName()).isEqualTo("Intel Xeon (test)");
    assertThat(m.getCapabilities().getCores()).isEqualTo(2);
    assertThat(m.getCapabilities().getThreads()).isEqualTo(2);
    assertThat(m.getCapabilities().getHostMemoryBytes()).isEqualTo(8L << 30);
    assertThat(m.getModelConfigHash()).isEqualTo("sha256:00112233");
    assertThat(m.getSupportedProtocolVersionsList()).containsExactly(1);
    assertThat(m.getSoftwareVersion()).isEqualTo("0.1.0-SNAPSHOT");
  }

  @Test
  void registrationReply() {
    RegistrationReply m = read(RegistrationReply.class);
    assertHeader(m.getHeader(), "coordinator", 0, 0);
    assertThat(m.getAccepted()).isFalse();
    assertThat(m.getRefusalReason())
        .isEqualTo(RegistrationReply.RefusalReason.MODEL_CONFIG_MISMATCH);
    assertThat(m.getRefusalText()).contains("sha256:00112233");
    assertThat(m.getHeartbeatIntervalMs()).isEqualTo(1000);
    assertThat(m.getHeartbeatTimeoutMs()).isEqualTo(5000);
  }

  @Test
  void heartbeat() {
    Heartbeat m = read(Heartbeat.class);
    assertHeader(m.getHeader(), "worker-0", 17, 17);
    assertThat(m.getWorkerId()).isEqualTo("worker-0");
    assertThat(m.getState()).isEqualTo(Heartbeat.State.COMPUTING);
    assertThat(m.getLastStep()).isEqualTo(16);
    assertThat(m.getViewsPerSecond()).isEqualTo(412.5);
    assertThat(m.getTimestampUnixMillis()).isEqualTo(1_767_225_601_000L);
  }

  @Test
  void disconnect() {
    Disconnect m = read(Disconnect.class);
    assertHeader(m.getHeader(), "coordinator", 17, 17);
    assertThat(m.getWorkerId()).isEqualTo("worker-1");
    assertThat(m.getReason()).isEqualTo(Disconnect.Reason.HEARTBEAT_TIMEOUT);
    assertThat(m.getDetail()).isEqualTo("no heartbeat for 5000 ms");
  }

  @Test
  void shardTask() {
    ShardTask m = read(ShardTask.class);
    assertHeader(m.getHeader(), "coordinator", 17, 17);
    assertThat(m.getShardId()).isEqualTo(1);
    assertThat(m.getShardCount()).isEqualTo(2);
    assertThat(m.getMode()).isEqualTo(ShardingMode.IMAGES);
    assertThat(m.getSeed()).isEqualTo(1234);
    assertThat(m.getEpoch()).isEqualTo(3);
    assertThat(m.getImageIndicesList()).containsExactly(7, 11, 59_999);
    assertThat(m.getViewIndicesList()).isEmpty();
    assertThat(m.getK()).isEqualTo(4);
    assertThat(m.getM()).isEqualTo(6);
    assertThat(m.getDeadlineMs()).isEqualTo(30_000);
    assertThat(m.getLabelsList()).containsExactly(3, -1, 9);
  }

  @Test
  void shardResult() {
    ShardResult m = read(ShardResult.class);
    assertHeader(m.getHeader(), "worker-0", 17, 17);
    assertThat(m.getShardId()).isEqualTo(1);
    assertThat(m.getLossSum()).isEqualTo(12.75);
    assertThat(m.getPairCount()).isEqualTo(96);
    assertThat(m.getPositivePairs()).isEqualTo(48);
    assertThat(m.getPositiveCorrect()).isEqualTo(40);
    assertThat(m.getNegativeCorrect()).isEqualTo(45);
    assertThat(m.getGradient().getShapeList()).containsExactly(6L);
    assertThat(Tensors.toFloats(m.getGradient(), "gradient"))
        .containsExactly(0.5f, -0.25f, 0f, 1e-3f, 0f, 3f);
    assertThat(Tensors.toFloats(m.getBnStatDeltas(), "bn")).containsExactly(0.125f, -0.5f);
    assertThat(m.getBnStatRangesList()).hasSize(1);
    assertThat(m.getBnStatRanges(0).getStart()).isEqualTo(4);
    assertThat(m.getBnStatRanges(0).getEnd()).isEqualTo(6);
    assertThat(m.getImageCount()).isEqualTo(3);
    assertThat(m.getComputeMicros()).isEqualTo(1_250_000);
  }

  @Test
  void features() {
    Features m = read(Features.class);
    assertHeader(m.getHeader(), "worker-0", 18, 18);
    assertThat(m.getShardId()).isZero();
    assertThat(m.getViewIndicesList()).containsExactly(0, 5);
    assertThat(m.getFeatures().getDtype()).isEqualTo(Tensor.DType.FLOAT16);
    assertThat(m.getFeatures().getShapeList()).containsExactly(2L, 3L);
    assertThat(Tensors.toFloats(m.getFeatures(), "features"))
        .containsExactly(1f, -2f, 0.5f, 65504f, 0f, -0.125f);
  }

  @Test
  void featureGradients() {
    FeatureGradients m = read(FeatureGradients.class);
    assertHeader(m.getHeader(), "coordinator", 18, 18);
    assertThat(m.getViewIndicesList()).containsExactly(0, 5);
    assertThat(m.getGradients().getDtype()).isEqualTo(Tensor.DType.BFLOAT16);
    assertThat(Tensors.toFloats(m.getGradients(), "gradients"))
        .containsExactly(1f, -2f, 0.5f, 3f, 0f, -0.125f);
  }

  @Test
  void parameterSnapshot() {
    ParameterSnapshot m = read(ParameterSnapshot.class);
    assertHeader(m.getHeader(), "coordinator", 18, 18);
    assertThat(m.getKind()).isEqualTo(ParameterSnapshot.Kind.FULL);
    assertThat(m.getBaseVersion()).isZero();
    assertThat(Tensors.toFloats(m.getParams(), "params"))
        .containsExactly(0.1f, 0.2f, -0.3f, 0.4f, 1f, 0f);
    assertThat(m.hasOptimizerState()).isTrue();
    assertThat(m.getOptimizerState().getName()).isEqualTo("adam");
    assertThat(m.getOptimizerState().getIteration()).isEqualTo(18);
    assertThat(Tensors.toFloats(m.getOptimizerState().getState(), "state")).hasSize(12);
    assertThat(m.getModelConfigHash()).isEqualTo("sha256:00112233");
  }

  @Test
  void parameterRequest() {
    ParameterRequest m = read(ParameterRequest.class);
    assertHeader(m.getHeader(), "worker-0", 18, 18);
    assertThat(m.getWorkerId()).isEqualTo("worker-0");
    assertThat(m.getHaveVersion()).isEqualTo(17);
    assertThat(m.getAcceptDelta()).isTrue();
    assertThat(m.getIncludeOptimizerState()).isFalse();
  }

  @Test
  void evalTask() {
    EvalTask m = read(EvalTask.class);
    assertHeader(m.getHeader(), "coordinator", 2000, 2000);
    assertThat(m.getEvalId()).isEqualTo("step-2000-linear");
    assertThat(m.getProtocol()).isEqualTo("linear");
    assertThat(m.getDataset()).isEqualTo("fashion-mnist");
    assertThat(m.getSeed()).isEqualTo(99);
    assertThat(m.getLinearEpochs()).isEqualTo(10);
    assertThat(m.getMaxTrainImages()).isEqualTo(5000);
  }

  @Test
  void evalResult() {
    EvalResult m = read(EvalResult.class);
    assertHeader(m.getHeader(), "worker-0", 2000, 2000);
    assertThat(m.getEvalId()).isEqualTo("step-2000-linear");
    assertThat(m.getProtocol()).isEqualTo("linear");
    assertThat(m.getDataset()).isEqualTo("fashion-mnist");
    assertThat(m.getTop1()).isCloseTo(0.8125, within(0.0));
    assertThat(m.getTop5()).isCloseTo(0.9921875, within(0.0));
    assertThat(m.getTestImages()).isEqualTo(10_000);
    assertThat(m.getDurationMillis()).isEqualTo(42_000);
  }

  @Test
  void error() {
    Error m = read(Error.class);
    assertHeader(m.getHeader(), "coordinator", 18, 18);
    assertThat(m.getCode()).isEqualTo(Error.Code.STALE);
    assertThat(m.getDetail()).contains("version 16");
    assertThat(m.getMessageType()).isEqualTo("relreason.v1.ShardResult");
  }

  private static void assertHeader(Header header, String sender, long step, long paramVersion) {
    assertThat(header.getProtocolVersion()).isEqualTo(1);
    assertThat(header.getRunId()).isEqualTo("golden-run-0001");
    assertThat(header.getSenderId()).isEqualTo(sender);
    assertThat(header.getStep()).isEqualTo(step);
    assertThat(header.getParamVersion()).isEqualTo(paramVersion);
    assertThat(header.getSentUnixMillis()).isEqualTo(1_767_225_600_000L);
  }

  private static <T extends Message> T read(Class<T> type) {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream(path(type))) {
      assertThat(in).as("golden file %s", path(type)).isNotNull();
      Buffer frame = Buffer.buffer(in.readAllBytes());
      T message = Codecs.find(CODECS, type).decodeFromWire(0, frame);
      assertThat(message.getUnknownFields().asMap()).as("unknown fields").isEmpty();
      return message;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String path(Class<?> type) {
    return "/golden/v1/" + type.getSimpleName() + ".bin";
  }
}
