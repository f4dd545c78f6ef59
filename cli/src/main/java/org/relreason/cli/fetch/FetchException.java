package org.relreason.cli.fetch;

import java.io.IOException;

/** A download or unpacking that failed, with a message that says what to do. */
public final class FetchException extends IOException {
  private static final long serialVersionUID = 1L;

  public FetchException(String message) {
    super(message);
  }

  public FetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
