package io.chatapi.bootstrap;

import java.util.List;

/**
 * The environment holds a missing or bad setting. The message is one line naming every offending variable
 * and, except for secrets, its value; the server prints it and refuses to start.
 */
public final class ConfigException extends Exception {
    private final List<String> problems;

    ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One entry per offending variable, in the order the variables were read. */
    public List<String> problems() {
        return problems;
    }
}
