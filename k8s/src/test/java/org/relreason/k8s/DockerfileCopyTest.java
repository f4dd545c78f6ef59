package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;

/**
 * The build stage of the Dockerfile copies everything the Maven build reads: the parent pom, {@code
 * .mvn/}, and every module the parent pom lists (a module left out once, {@code dashboard/}, made
 * {@code docker build} fail). There is no Docker engine here, so the second test replays the COPY
 * lines (with {@code .dockerignore}) into an empty directory and runs Maven there offline.
 */
class DockerfileCopyTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** One COPY of the build stage: the sources (relative to the context) and the destination. */
  record Copy(List<String> sources, String destination) {}

  @Test
  void buildStageCopiesThePomsDotMvnAndEveryModule() throws Exception {
    List<Copy> copies = buildStageCopies(ROOT.resolve("Dockerfile"));
    List<String> copied = new ArrayList<>();
    for (Copy c : copies) {
      for (String s : c.sources()) {
        copied.add(destinationOf(s, c) + " <- " + s);
      }
    }
    List<String> expected = new ArrayList<>();
    for (String needed : needed()) {
      expected.add(needed + " <- " + needed);
    }
    // each module whole (its pom alone would satisfy the reactor but not the build)
    assertThat(copied)
        .as("the Dockerfile's build stage copies pom.xml, .mvn/ and every module of the parent pom")
        .contains(expected.toArray(String[]::new));
    List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
    for (String needed : needed()) {
      assertThat(ignored)
          .as(".dockerignore keeps %s out of the context", needed)
          .doesNotContain(needed);
    }
  }

  @Test
  void theCopiedSetIsAMavenBuildOffline(@TempDir Path context) throws Exception {
    List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore"));
    for (Copy c : buildStageCopies(ROOT.resolve("Dockerfile"))) {
      for (String s : c.sources()) {
        copyTree(ROOT.resolve(s), context.resolve(destinationOf(s, c)), ignore);
      }
    }
    // the build stage's own goal, offline against the local repository the tests already use
    Path log = context.resolve("mvn.log");
    Process p =
        new ProcessBuilder("mvn", "-o", "-q", "-B", "-pl", "cli", "-am", "validate")
            .directory(context.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("mvn validate finished").isTrue();
    assertThat(p.exitValue())
        .as("mvn -o validate in the replayed COPY set:%n%s", Files.readString(log))
        .isZero();
  }

  /** pom.xml, .mvn and the modules. */
  private static List<String> needed() throws Exception {
    List<String> out = new ArrayList<>(List.of("pom.xml", ".mvn"));
    out.addAll(modules(ROOT.resolve("pom.xml")));
    return out;
  }

  static List<String> modules(Path pom) throws Exception {
    NodeList nodes =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(pom.toFile())
            .getElementsByTagName("module");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    assertThat(out).as("modules of %s", pom).isNotEmpty();
    return out;
  }

  private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+\\S+(\\s+AS\\s+(\\S+))?");

  /** The COPY lines (without --from) of the stage named {@code build}. */
  static List<Copy> buildStageCopies(Path dockerfile) throws IOException {
    List<Copy> out = new ArrayList<>();
    String stage = null;
    for (String raw : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      Matcher m = FROM.matcher(line);
      if (m.find()) {
        stage = m.group(2);
        continue;
      }
      if (!"build".equals(stage) || !line.startsWith("COPY ")) {
        continue;
      }
      String[] words = line.substring(5).strip().split("\\s+");
      if (words[0].startsWith("--")) {
        throw new IllegalArgumentException(dockerfile + ": unexpected COPY option in: " + line);
      }
      List<String> sources = new ArrayList<>();
      for (int i = 0; i < words.length - 1; i++) {
        sources.add(trimSlash(words[i]));
      }
      out.add(new Copy(sources, words[words.length - 1]));
    }
    assertThat(out).as("COPY lines of the build stage of %s", dockerfile).isNotEmpty();
    return out;
  }

  /**
   * Where a source lands, as Docker does: into a destination ending in / (or ./) by its own name,
   * else at the destination itself (a directory's contents go into it).
   */
  static String destinationOf(String source, Copy c) {
    String dest = c.destination();
    if (dest.equals(".") || dest.equals("./")) {
      return Path.of(source).getFileName().toString();
    }
    if (dest.endsWith("/") && !Files.isDirectory(ROOT.resolve(source))) {
      return trimSlash(dest) + "/" + Path.of(source).getFileName();
    }
    return trimSlash(dest);
  }

  private static String trimSlash(String s) {
    String t = s.startsWith("./") ? s.substring(2) : s;
    return t.endsWith("/") && t.length() > 1 ? t.substring(0, t.length() - 1) : t;
  }

  /** Copies a file or directory, leaving out what .dockerignore leaves out of the context. */
  private static void copyTree(Path from, Path to, List<String> ignore) throws IOException {
    assertThat(from).as("COPY source").exists();
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (ignored(ROOT.relativize(p), ignore)) {
          continue;
        }
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** The .dockerignore forms used here: {@code name} (top level) and {@code **}{@code /name}. */
  static boolean ignored(Path relative, List<String> patterns) {
    for (String raw : patterns) {
      String pattern = raw.strip();
      if (pattern.isEmpty() || pattern.startsWith("#")) {
        continue;
      }
      if (pattern.startsWith("**/")) {
        String name = pattern.substring(3);
        for (Path part : relative) {
          if (part.toString().equals(name)) {
            return true;
          }
        }
      } else if (pattern.contains("*") || pattern.contains("?") || pattern.startsWith("!")) {
        throw new IllegalArgumentException(
            ".dockerignore pattern '" + pattern + "' is not one this test understands");
      } else if (relative.startsWith(Path.of(pattern.replace('/', File.separatorChar)))) {
        return true;
      }
    }
    return false;
  }
}
