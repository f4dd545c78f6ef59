package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void workerAddressesEmbedTheId() {
    assertThat(Addresses.workerTask("worker-0")).isEqualTo("relreason.worker.worker-0.task");
    assertThat(Addresses.workerEval("w_1")).isEqualTo("relreason.worker.w_1.eval");
    assertThat(Addresses.workerControl("pod-7")).isEqualTo("relreason.worker.pod-7.control");
    assertThat(Addresses.COORDINATOR_REGISTER).startsWith(Addresses.PREFIX);
  }

  @Test
  void idsThatWouldMakeAmbiguousAddressesAreRefused() {
    assertThat(Addresses.isValidWorkerId("a.b")).isFalse();
    assertThat(Addresses.isValidWorkerId("")).isFalse();
    assertThat(Addresses.isValidWorkerId(null)).isFalse();
    assertThat(Addresses.isValidWorkerId("x".repeat(129))).isFalse();
    assertThatThrownBy(() -> Addresses.workerTask("a.b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a.b'");
  }
}
