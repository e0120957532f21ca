package io.chatapi.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that starts another main class of this module in a new JVM, on the same module or class path. */
final class JavaCommand {
    private JavaCommand() {
    }

    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    static Path java() {
        return javaHome().resolve("bin").resolve("java");
    }

    static List<String> forMain(Class<?> mainClass, List<String> jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(jvmArgs);
        Module module = mainClass.getModule();
        String modulePath = System.getProperty("jdk.module.path");
        if (module.isNamed() && modulePath != null && !modulePath.isBlank()) {
            command.add("--module-path");
            command.add(modulePath);
            command.add("--module");
            command.add(module.getName() + "/" + mainClass.getName());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
        }
        return command;
    }
}
