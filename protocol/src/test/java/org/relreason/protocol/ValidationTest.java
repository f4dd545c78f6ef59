package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.Tensor;

class ValidationTest {
  private static final String RUN = GoldenMessages.RUN_ID;

  @Test
  void acceptsAVersionOneMessageOfTheRun() {
    ShardTask task = GoldenMessages.shardTask();
    assertThat(Validation.check(task, RUN)).isEqualTo(task.getHeader());
  }

  @Test
  void everyGoldenMessageHasAHeader() {
    GoldenMessages.all()
        .values()
        .forEach(m -> assertThat(Validation.header(m).getRunId()).isEqualTo(RUN));
  }

  @Test
  void wrongProtocolVersionNamesBothVersions() {
    ShardTask fromTheFuture =
        GoldenMessages.shardTask().toBuilder()
            .setHeader(GoldenMessages.header("worker-9", 1, 1).toBuilder().setProtocolVersion(2))
            .build();
    assertThatThrownBy(() -> Validation.check(fromTheFuture, RUN))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_PROTOCOL_VERSION);
              assertThat(e.messageType()).isEqualTo("relreason.v1.ShardTask");
              assertThat(e.getMessage())
                  .contains("'worker-9'")
                  .contains("protocol version 2")
                  .contains("speaks version 1");
            });
  }

  @Test
  void unsetVersionIsRefusedToo() {
    Header zero = GoldenMessages.header("w", 0, 0).toBuilder().clearProtocolVersion().build();
    assertThatThrownBy(() -> Validation.requireProtocolVersion(zero, "relreason.v1.Heartbeat"))
        .hasMessageContaining("protocol version 0");
  }

  @Test
  void otherRunIsRefused() {
    assertThatThrownBy(() -> Validation.check(GoldenMessages.heartbeat(), "another-run"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_MODEL_CONFIG);
              // the refusal goes back to the sender: it names the sender's id, never the run's
              assertThat(e.getMessage()).contains(RUN).doesNotContain("another-run");
            });
  }

  @Test
  void missingHeaderIsMalformed() {
    assertThatThrownBy(() -> Validation.check(ShardTask.getDefaultInstance(), RUN))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.MALFORMED));
    assertThatThrownBy(() -> Validation.header(Tensor.getDefaultInstance()))
        .hasMessageContaining("no Header field");
  }

  @Test
  void staleParameterVersionIsRefused() {
    Header header = GoldenMessages.header("w", 16, 16);
    Validation.requireFresh(header, 16, 0, "relreason.v1.ShardResult");
    Validation.requireFresh(header, 18, 2, "relreason.v1.ShardResult");
    assertThatThrownBy(() -> Validation.requireFresh(header, 18, 1, "relreason.v1.ShardResult"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.STALE);
              assertThat(e.getMessage()).contains("16").contains("18");
            });
  }

  @Test
  void nonFiniteValuesAreNamedByIndex() {
    Validation.requireFinite(new float[] {0f, 1f}, "g", "relreason.v1.ShardResult");
    assertThatThrownBy(
            () ->
                Validation.requireFinite(
                    new float[] {0f, Float.NaN},
                    "ShardResult.gradient",
                    "relreason.v1.ShardResult"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.NON_FINITE);
              assertThat(e.getMessage()).contains("ShardResult.gradient[1] is NaN");
            });
  }
}
