package io.chatapi.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hexagon's dependency rules, checked on the production classes of every module. Each rule first
 * asserts that the packages it names hold classes, so a renamed or emptied package fails the rule instead
 * of letting it pass on nothing.
 */
class ArchitectureTest {
    private static final String ROOT = "io.chatapi";
    private static final String DOMAIN = "io.chatapi.domain";
    private static final String APPLICATION = "io.chatapi.application";
    private static final String SERVICES = "io.chatapi.application.service";
    private static final String PORTS_IN = "io.chatapi.application.port.in";
    private static final String PORTS_OUT = "io.chatapi.application.port.out";
    private static final String ADAPTERS = "io.chatapi.adapters";
    private static final String BOOTSTRAP = "io.chatapi.bootstrap";
    private static final List<String> ADAPTER_NAMES = List.of("sqlite", "webhook", "llm", "ws");
    private static final Set<String> TOP_LEVEL_SLICES = Set.of("domain", "application", "adapters", "bootstrap");

    /** A framework's root package and a class known to exist in it, proving the package name is spelled right. */
    private record Framework(String rootPackage, String knownClass) {
    }

    private static final List<Framework> FRAMEWORKS = List.of(
            new Framework("io.helidon", "io.helidon.webserver.WebServer"),
            new Framework("org.jdbi", "org.jdbi.v3.core.Jdbi"),
            new Framework("org.flywaydb", "org.flywaydb.core.Flyway"),
            new Framework("com.fasterxml", "com.fasterxml.jackson.databind.ObjectMapper"),
            new Framework("com.nimbusds", "com.nimbusds.jwt.SignedJWT"),
            new Framework("org.sqlite", "org.sqlite.SQLiteConfig"));

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void importSeesNoTestClasses() {
        requireClassesIn(BOOTSTRAP);
        assertThat(production.stream().map(JavaClass::getName))
                .as("test classes must not be imported")
                .doesNotContain(ArchitectureTest.class.getName());
    }

    @Test
    void domainDependsOnlyOnTheJdk() {
        requireClassesIn(DOMAIN);
        classes().that().resideInAPackage(DOMAIN + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(DOMAIN + "..", "java..")
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void domainAndApplicationUseNoFrameworkTypes() {
        requireClassesIn(DOMAIN, APPLICATION);
        String[] forbidden = FRAMEWORKS.stream().map(f -> f.rootPackage() + "..").toArray(String[]::new);
        for (Framework framework : FRAMEWORKS) {
            requireOnClassPath(framework.knownClass());
        }
        noClasses().that().resideInAnyPackage(DOMAIN + "..", APPLICATION + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void applicationDependsOnNeitherAdaptersNorBootstrap() {
        requireClassesIn(APPLICATION, ADAPTERS, BOOTSTRAP);
        noClasses().that().resideInAPackage(APPLICATION + "..")
                .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS + "..", BOOTSTRAP + "..")
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void adaptersDoNotDependOnEachOther() {
        requireExactlyTheseAdapters();
        for (String from : ADAPTER_NAMES) {
            for (String to : ADAPTER_NAMES) {
                if (!from.equals(to)) {
                    noClasses().that().resideInAPackage(adapter(from) + "..")
                            .should().dependOnClassesThat().resideInAPackage(adapter(to) + "..")
                            .allowEmptyShould(false)
                            .check(production);
                }
            }
        }
        slices().matching(ADAPTERS + ".(*)..").should().notDependOnEachOther()
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void adaptersReachTheApplicationOnlyThroughPorts() {
        requireExactlyTheseAdapters();
        requireClassesIn(SERVICES);
        noClasses().that().resideInAPackage(ADAPTERS + "..")
                .should().dependOnClassesThat().resideInAPackage(SERVICES + "..")
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void theModulesFormAnOnion() {
        requireClassesIn(DOMAIN, APPLICATION, PORTS_IN, PORTS_OUT, SERVICES);
        requireExactlyTheseAdapters();
        // The ports and the shared settings form the ring around the domain; services sit outside them.
        var onion = onionArchitecture()
                .domainModels(DOMAIN + "..")
                .domainServices(APPLICATION, APPLICATION + ".port..")
                .applicationServices(SERVICES + "..")
                .withOptionalLayers(false);
        for (String name : ADAPTER_NAMES) {
            onion = onion.adapter(name, adapter(name) + "..");
        }
        // Bootstrap wires every ring together with `new`; it is the composition root, outside the onion.
        onion.ignoreDependency(JavaClass.Predicates.resideInAPackage("io.chatapi.bootstrap.."),
                        com.tngtech.archunit.base.DescribedPredicate.alwaysTrue())
                .allowEmptyShould(false).check(production);
    }

    @Test
    void topLevelSlicesAreFreeOfCycles() {
        assertThat(sliceNames(ROOT))
                .as("top-level packages under %s", ROOT)
                .containsExactlyInAnyOrderElementsOf(TOP_LEVEL_SLICES);
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles()
                .allowEmptyShould(false)
                .check(production);
    }

    @Test
    void adapterSlicesAreFreeOfCycles() {
        requireExactlyTheseAdapters();
        slices().matching(ADAPTERS + ".(*)..").should().beFreeOfCycles()
                .allowEmptyShould(false)
                .check(production);
    }

    private static String adapter(String name) {
        return ADAPTERS + "." + name;
    }

    private static void requireExactlyTheseAdapters() {
        assertThat(sliceNames(ADAPTERS))
                .as("adapter packages under %s (update ADAPTER_NAMES when adding one)", ADAPTERS)
                .containsExactlyInAnyOrderElementsOf(ADAPTER_NAMES);
    }

    /** The first package segment below {@code parent} of every imported class inside it. */
    private static Set<String> sliceNames(String parent) {
        String prefix = parent + ".";
        return production.stream()
                .map(JavaClass::getPackageName)
                .filter(p -> p.startsWith(prefix))
                .map(p -> p.substring(prefix.length()).split("\\.")[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Fails unless every package (with its sub-packages) holds at least one imported class. */
    private static void requireClassesIn(String... packages) {
        for (String pkg : packages) {
            boolean present = production.stream()
                    .map(JavaClass::getPackageName)
                    .anyMatch(p -> p.equals(pkg) || p.startsWith(pkg + "."));
            assertThat(present)
                    .as("no production class found in %s: a rule naming it would pass on nothing "
                            + "(was the package renamed, or is the module missing from the test class path?)", pkg)
                    .isTrue();
        }
    }

    private static void requireOnClassPath(String className) {
        try {
            Class.forName(className, false, ArchitectureTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError("expected " + className + " on the test path: the forbidden package "
                    + "named for it would otherwise be unchecked", e);
        }
    }
}
