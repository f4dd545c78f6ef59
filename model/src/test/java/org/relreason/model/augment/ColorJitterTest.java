package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

  @Test
  void zeroHueShiftIsIdentity() {
    int n = 10_000;
    float[] px = new float[3 * n];
    Random r = new Random(1);
    for (int i = 0; i < px.length; i++) {
      px[i] = i % 97 == 0 ? 1f : r.nextFloat(); // some saturated values too
    }
    float[] before = px.clone();
    for (int p = 0; p < n; p++) {
      ColorJitter.shiftHue(px, p, n, 0f);
    }
    for (int i = 0; i < px.length; i++) {
      assertThat(px[i]).as("value %d", i).isCloseTo(before[i], offset(1e-6f));
    }
  }

  @Test
  void hueShiftsRotateTheColourWheel() {
    assertThat(shifted(1, 0, 0, 1f / 3)).containsExactly(new float[] {0, 1, 0}, offset(1e-6f));
    assertThat(shifted(1, 0, 0, 0.5f)).containsExactly(new float[] {0, 1, 1}, offset(1e-6f));
    assertThat(shifted(0, 0, 1, -1f / 3)).containsExactly(new float[] {0, 1, 0}, offset(1e-6f));
    assertThat(shifted(0.5f, 0.5f, 0.5f, 0.3f))
        .containsExactly(new float[] {0.5f, 0.5f, 0.5f}, offset(0f));
  }

  private static float[] shifted(float r, float g, float b, float shift) {
    float[] px = {r, g, b};
    ColorJitter.shiftHue(px, 0, 1, shift);
    return px;
  }
}
