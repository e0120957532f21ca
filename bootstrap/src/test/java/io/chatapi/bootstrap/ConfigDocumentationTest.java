package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's configuration table and docs/configuration.md name every setting with its real default. */
class ConfigDocumentationTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    @Test
    void readmeTableHasARowWithTheDefaultForEverySetting() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Setting setting : Setting.values()) {
            assertThat(readme).as("README row for %s", setting)
                    .contains("\n| `" + setting.name() + "` | " + documentedDefault(setting) + " |");
        }
    }

    @Test
    void configurationGuideGivesEverySettingWithItsDefault() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/configuration.md"));
        for (Setting setting : Setting.values()) {
            String name = "`" + setting.name() + "`";
            String value = documentedDefault(setting);
            assertThat(guide).as("docs/configuration.md entry for %s", setting)
                    .containsAnyOf("| " + name + " | " + value + " |", name + " (" + value + ")",
                            name + " (default " + value + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run.sh", "test.sh", "scripts/jdk.sh", ".ci/run", "mvnw", "docs/configuration.md",
            "docs/architecture.md", "docs/operations.md"})
    void filesTheReadmeNamesExist(String file) throws IOException {
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains(file);
        assertThat(ROOT.resolve(file)).isRegularFile();
    }

    private static String documentedDefault(Setting setting) {
        if (setting == Setting.JWT_SECRET) {
            return "required";
        }
        return setting.defaultValue() == null ? "unset" : "`" + setting.defaultValue() + "`";
    }
}
