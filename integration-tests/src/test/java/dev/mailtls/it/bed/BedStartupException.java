package dev.mailtls.it.bed;

/**
 * The test bed could not be brought up. The message names the step that failed and includes
 * the daemon's own error output or log tail, so a CI log alone is enough to diagnose it.
 */
public final class BedStartupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BedStartupException(String message) {
    super(message);
  }

  public BedStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
