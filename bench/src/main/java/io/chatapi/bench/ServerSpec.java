package io.chatapi.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How to start one server process: command, environment, the address it listens on, and its log file. */
record ServerSpec(List<String> command, Map<String, String> env, String host, int port, Path log) {
    ServerSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    URI http() {
        return URI.create("http://" + host + ":" + port);
    }

    URI ws() {
        return URI.create("ws://" + host + ":" + port + "/ws");
    }
}
