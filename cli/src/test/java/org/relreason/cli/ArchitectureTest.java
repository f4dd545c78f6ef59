package org.relreason.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph as rules over the production classes of every module (the CLI's test class path
 * holds them all): data goes one way, {@code protocol ← model ← shard ← observe ← worker,
 * coordinator ← dashboard ← cli}, and the maths has no Vert.x. A rule that fails names the class
 * and the dependency that broke it; fix the code, not the rule.
 */
class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the modules' test jars (fixtures shared with the CLI's tests) are no production code
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("org.relreason");
  }

  /** The modules (one top-level package each) form no cycle. */
  @Test
  void modulesAreFreeOfCycles() {
    check(slices().matching("org.relreason.(*)..").should().beFreeOfCycles());
  }

  /**
   * Packages form no cycle, the learning core's included. One exception, by design: {@code
   * model.nn.fast} holds the native implementations of {@code model.nn}'s interfaces, which {@code
   * nn.Backbones} and {@code nn.MlpHead} choose at run time, so inside the learning core a package
   * counts with its sub-packages. Its layers are {@code nn, data, augment, io ← config ← features ←
   * train ← method ← eval ← run ← benchmark} (each may use those to its left).
   */
  @Test
  void packagesAreFreeOfCycles() {
    check(slices().matching("org.relreason.model.(*)..").should().beFreeOfCycles());
    JavaClasses outsideModel =
        production.that(
            DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("org.relreason.model..")));
    slices()
        .matching("org.relreason.(**)")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(false)
        .check(outsideModel);
  }

  /**
   * The learning core's layers, as above: a dependency to the right is a cycle waiting to happen
   * even before its way back exists.
   */
  @Test
  void theLearningCoreIsLayered() {
    String[] layers = {"config", "features", "train", "method", "eval", "run", "benchmark"};
    for (int i = 0; i < layers.length; i++) {
      for (int j = i + 1; j < layers.length; j++) {
        check(
            noClasses()
                .that()
                .resideInAPackage("org.relreason.model." + layers[i] + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.relreason.model." + layers[j] + ".."));
      }
    }
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "org.relreason.model.nn..",
                "org.relreason.model.data..",
                "org.relreason.model.augment..",
                "org.relreason.model.io..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                java.util.Arrays.stream(layers)
                    .map(l -> "org.relreason.model." + l + "..")
                    .toArray(String[]::new)));
  }

  @Test
  void theWorkerDoesNotKnowTheCoordinator() {
    check(roleMustNotUse("org.relreason.worker..", "org.relreason.coordinator.."));
  }

  @Test
  void theCoordinatorDoesNotKnowTheWorker() {
    check(roleMustNotUse("org.relreason.coordinator..", "org.relreason.worker.."));
  }

  /** The dashboard reads a run through {@code observe}; it deploys and knows no role. */
  @Test
  void theDashboardKnowsNoRole() {
    check(
        noClasses()
            .that()
            .resideInAPackage("org.relreason.dashboard..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.relreason.coordinator..", "org.relreason.worker..", "org.relreason.cli.."));
  }

  /** What both roles share knows neither role, nor the dashboard or the CLI that wire them. */
  @Test
  void theSharedModulesKnowNoRole() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "org.relreason.protocol..",
                "org.relreason.model..",
                "org.relreason.shard..",
                "org.relreason.observe..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.relreason.coordinator..",
                "org.relreason.worker..",
                "org.relreason.dashboard..",
                "org.relreason.cli.."));
  }

  /** The wire types know nothing of the learning core. */
  @Test
  void theProtocolKnowsNoModel() {
    check(
        noClasses()
            .that()
            .resideInAPackage("org.relreason.protocol..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.relreason.model..", "org.relreason.shard..", "org.relreason.observe.."));
  }

  /**
   * The maths has no Vert.x (STYLE.md 2): the learning core, what a shard computes, and the
   * coordinator's parts that compute or hold state (membership, the step round, the run cursor, the
   * counters, the views objective, the parameter store and its snapshots, the tasks, the
   * checkpointer, aggregation, planning) are plain Java, unit-tested without an event loop. The
   * parts that handle messages (registrar, dispatcher, feature exchange, step applier, wire) use
   * Vert.x futures and messages only at their seam.
   */
  @Test
  void theMathsHasNoVertx() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage("org.relreason.model..", "org.relreason.shard..")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.GradientAggregator")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.ShardPlanner")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.NormBound")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Membership")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.ParameterStore")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Checkpointer")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.ViewsObjective")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.StepRound")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Position")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Counters")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Tasks")
            .or()
            .haveFullyQualifiedName("org.relreason.coordinator.Snapshots")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.vertx.."));
  }

  private static ArchRule roleMustNotUse(String role, String other) {
    return noClasses()
        .that()
        .resideInAPackage(role)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(other);
  }

  private static void check(ArchRule rule) {
    rule.allowEmptyShould(false).check(production);
  }
}
