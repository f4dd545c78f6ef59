package org.relreason.model;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Restores ND4J's default data types after each test, so a test that switches them (to DOUBLE for a
 * comparison to rounding) cannot leak its choice into the next:
 * {@code @ExtendWith(KeepsDataTypes.class)}.
 */
public class KeepsDataTypes implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KeepsDataTypes.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context
        .getStore(NS)
        .put("types", new DataType[] {Nd4j.dataType(), Nd4j.defaultFloatingPointType()});
  }

  @Override
  public void afterEach(ExtensionContext context) {
    DataType[] saved = context.getStore(NS).remove("types", DataType[].class);
    Nd4j.setDefaultDataTypes(saved[0], saved[1]);
  }
}
