package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.Arrays;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Headers;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Capabilities;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;
import org.relreason.shard.ShardComputer;

/**
 * A test worker that registers properly, sends heartbeats, and then misbehaves on every task in one
 * way: never answers, answers with NaN gradients, answers for another step, answers after the
 * deadline, or answers with garbage bytes, a frame claiming to be oversize, another protocol
 * version, another run id, or a gradient of the wrong length.
 */
final class RogueWorker extends VerticleBase {
  enum Kind {
    SILENT,
    NAN,
    STALE,
    LATE,
    GARBAGE,
    OVERSIZE,
    WRONG_VERSION,
    WRONG_RUN,
    WRONG_SHAPE,
    /** VIEWS: answers the task with a result without ever sending its features. */
    RESULT_BEFORE_FEATURES,
    /** VIEWS: sends its features as shard 0xFFFFFFFF. */
    BAD_SHARD_ID,
    /** VIEWS: sends finite features of magnitude 3e38, whose objective overflows. */
    HUGE_FEATURES,
    /** Wrong shape at step 0, then finite gradients of 1e30 (passing every other check). */
    HUGE_GRADIENT,
    /** Wrong shape at step 0, then batch-norm statistic deltas of 1e30. */
    HUGE_BN_DELTAS
  }

  private final String id;
  private final Kind kind;
  private final TrainConfig config;
  private final StatisticsLayout layout;
  private final int featureSize;
  private final long lateMs;
  private String runId = "";

  RogueWorker(String id, Kind kind, TrainConfig config, ImageSet set, long lateMs) {
    this.id = id;
    this.kind = kind;
    this.config = config;
    var model = ShardComputer.newModel(config, set);
    this.layout = new StatisticsLayout(model.statisticsMask());
    this.featureSize = model.backbone().featureSize();
    this.lateMs = lateMs;
  }

  @Override
  public Future<?> start() {
    return vertx
        .eventBus()
        .consumer(Addresses.workerTask(id), this::onTask)
        .completion()
        .compose(v -> vertx.eventBus().request(Addresses.COORDINATOR_REGISTER, hello()))
        .map(m -> (RegistrationReply) m.body())
        .onSuccess(
            r -> {
              runId = r.getHeader().getRunId();
              vertx.setPeriodic(
                  r.getHeartbeatIntervalMs(),
                  t ->
                      vertx
                          .eventBus()
                          .send(
                              Addresses.HEARTBEAT,
                              Heartbeat.newBuilder()
                                  .setHeader(Headers.of(runId, 0, 0, id))
                                  .setWorkerId(id)
                                  .build()));
            });
  }

  private WorkerHello hello() {
    return WorkerHello.newBuilder()
        .setHeader(Headers.of("", 0, 0, id))
        .setWorkerId(id)
        .setCapabilities(Capabilities.newBuilder().setDeviceName("rogue"))
        .setModelConfigHash(ModelConfigHash.of(config))
        .addSupportedProtocolVersions(Validation.PROTOCOL_VERSION)
        .build();
  }

  private void onTask(Message<Object> message) {
    onTaskAs(kind, message, (ShardTask) message.body());
  }

  private void onTaskAs(Kind kind, Message<Object> message, ShardTask task) {
    switch (kind) {
      case SILENT -> {}
      case NAN -> message.reply(result(task, Float.NaN, 0));
      case STALE -> message.reply(result(task, 0f, 1000));
      case LATE -> vertx.setTimer(lateMs, t -> message.reply(result(task, 0f, 0)));
      case GARBAGE -> {
        // a plausible length prefix, then bytes that are no protobuf (an endless varint)
        byte[] junk = new byte[60];
        Arrays.fill(junk, (byte) 0xFF);
        message.reply(Buffer.buffer().appendInt(junk.length).appendBytes(junk));
      }
      case OVERSIZE -> message.reply(Buffer.buffer().appendInt(Integer.MAX_VALUE).appendInt(0));
      case WRONG_VERSION -> {
        ShardResult r = result(task, 0f, 0);
        message.reply(
            r.toBuilder().setHeader(r.getHeader().toBuilder().setProtocolVersion(2)).build());
      }
      case WRONG_RUN -> {
        ShardResult r = result(task, 0f, 0);
        message.reply(
            r.toBuilder().setHeader(r.getHeader().toBuilder().setRunId("another-run")).build());
      }
      case WRONG_SHAPE -> {
        ShardResult r = result(task, 0f, 0);
        float[] shorter = new float[layout.length() - 1];
        message.reply(
            r.toBuilder().setGradient(Tensors.float32(shorter, layout.length() - 1)).build());
      }
      case RESULT_BEFORE_FEATURES -> message.reply(result(task, 0f, 0));
      case HUGE_GRADIENT, HUGE_BN_DELTAS -> {
        if (task.getHeader().getStep() == 0) {
          onTaskAs(Kind.WRONG_SHAPE, message, task);
          return;
        }
        ShardResult r = result(task, kind == Kind.HUGE_GRADIENT ? 1e30f : 1e-3f, 0);
        if (kind == Kind.HUGE_BN_DELTAS) {
          float[] deltas = new float[layout.count()];
          Arrays.fill(deltas, 1e30f);
          r = r.toBuilder().setBnStatDeltas(Tensors.float32(deltas, deltas.length)).build();
        }
        message.reply(r);
      }
      case BAD_SHARD_ID -> sendFeatures(message, task, -1, 0.5f);
      case HUGE_FEATURES -> sendFeatures(message, task, task.getShardId(), 3e38f);
    }
  }

  /**
   * Sends the task's features (all {@code value}) as shard {@code shard}; fails the task on an
   * Error.
   */
  private void sendFeatures(Message<Object> message, ShardTask task, int shard, float value) {
    int rows = task.getViewIndicesCount();
    float[] x = new float[rows * featureSize];
    Arrays.fill(x, value);
    Features f =
        Features.newBuilder()
            .setHeader(
                Headers.of(
                    runId, task.getHeader().getStep(), task.getHeader().getParamVersion(), id))
            .setShardId(shard)
            .addAllViewIndices(task.getViewIndicesList())
            .setFeatures(Tensors.float32(x, rows, featureSize))
            .build();
    vertx
        .eventBus()
        .request(Addresses.COORDINATOR_FEATURES, f)
        .onComplete(
            ar -> {
              Object body = ar.succeeded() ? ar.result().body() : null;
              message.reply(
                  Error.newBuilder()
                      .setHeader(Headers.of(runId, task.getHeader().getStep(), 0, id))
                      .setCode(Error.Code.INTERNAL)
                      .setDetail("features answered " + body)
                      .build());
            });
  }

  private ShardResult result(ShardTask task, float value, long stepOffset) {
    float[] g = new float[layout.length()];
    Arrays.fill(g, value);
    long pairs =
        task.getMode() == ShardingMode.VIEWS
            ? 0
            : (long) task.getImageIndicesCount() * config.k() * (config.k() - 1);
    return ShardResult.newBuilder()
        .setHeader(
            Headers.of(
                runId,
                task.getHeader().getStep() + stepOffset,
                task.getHeader().getParamVersion(),
                id))
        .setShardId(task.getShardId())
        .setLossSum(1.0)
        .setPairCount(pairs)
        .setGradient(Tensors.float32(layout.withoutStatistics(g), g.length))
        .setBnStatDeltas(Tensors.float32(new float[layout.count()], layout.count()))
        .addAllBnStatRanges(layout.ranges())
        .setImageCount(task.getImageIndicesCount())
        .build();
  }
}
