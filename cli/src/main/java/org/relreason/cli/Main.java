package org.relreason.cli;

/** Entry point placeholder while the build is being set up. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("relreason");
  }
}
