package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parent pom's licence check: a project that inherits it fails to build when it depends on a
 * GPL- or AGPL-licensed library and builds (and lists it) when the same library is Apache-2.0. Each
 * case is a two-module reactor in a temporary directory (a library and an application that depends
 * on it), built offline.
 */
class LicenceCheckTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void aGplDependencyFailsTheBuild(@TempDir Path dir) throws Exception {
    Result r = build(dir, "GNU General Public License, Version 3");
    assertThat(r.exit).as("exit code; log:%n%s", r.log).isNotZero();
    assertThat(r.log)
        .contains("example.licence:library:1.0")
        .contains("There are 1 forbidden licenses used");
  }

  @Test
  void anAgplDependencyFailsTheBuild(@TempDir Path dir) throws Exception {
    Result r = build(dir, "GNU Affero General Public License v3.0");
    assertThat(r.exit).as("exit code; log:%n%s", r.log).isNotZero();
    assertThat(r.log).contains("example.licence:library:1.0");
  }

  @Test
  void anApacheDependencyBuildsAndIsListed(@TempDir Path dir) throws Exception {
    Result r = build(dir, "Apache License, Version 2.0");
    assertThat(r.exit).as("exit code; log:%n%s", r.log).isZero();
    Path list = dir.resolve("app/target/generated-sources/license/THIRD-PARTY.txt");
    assertThat(Files.readString(list))
        .contains("(Apache License, Version 2.0) library (example.licence:library:1.0");
  }

  private record Result(int exit, String log) {}

  private static Result build(Path dir, String libraryLicence) throws Exception {
    write(
        dir.resolve("pom.xml"),
        parent(dir, "aggregate", "pom")
            + "<modules><module>library</module><module>app</module></modules></project>");
    write(
        dir.resolve("library/pom.xml"),
        parent(dir.resolve("library"), "library", "jar")
            + "<licenses><license><name>"
            + libraryLicence
            + "</name></license></licenses></project>");
    write(
        dir.resolve("app/pom.xml"),
        parent(dir.resolve("app"), "app", "jar")
            + "<dependencies><dependency><groupId>example.licence</groupId>"
            + "<artifactId>library</artifactId><version>1.0</version></dependency>"
            + "</dependencies></project>");
    Path log = dir.resolve("mvn.log");
    Process p =
        new ProcessBuilder("mvn", "-o", "-B", "package", "-Dspotless.check.skip")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("mvn finished").isTrue();
    return new Result(p.exitValue(), Files.readString(log));
  }

  /** A pom in {@code dir} (without its closing tag) whose parent is the project's parent pom. */
  private static String parent(Path dir, String artifactId, String packaging) {
    return "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
        + "<parent><groupId>org.relreason</groupId><artifactId>relreason-parent</artifactId>"
        + "<version>0.1.0-SNAPSHOT</version><relativePath>"
        + dir.relativize(ROOT.resolve("pom.xml"))
        + "</relativePath></parent>"
        + "<groupId>example.licence</groupId><artifactId>"
        + artifactId
        + "</artifactId><version>1.0</version><packaging>"
        + packaging
        + "</packaging>";
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
