package org.relreason.model;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs each test with ND4J's default data types set to DOUBLE (finite-difference gradient checks
 * need it) and restores the previous types afterwards: {@code @ExtendWith(DoublePrecision.class)}.
 */
public final class DoublePrecision extends KeepsDataTypes {
  @Override
  public void beforeEach(ExtensionContext context) {
    super.beforeEach(context);
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }
}
