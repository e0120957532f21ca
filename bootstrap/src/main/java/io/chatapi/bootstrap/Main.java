package io.chatapi.bootstrap;

/** Starts the server from the environment; stops it gracefully on SIGTERM / Ctrl-C. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ChatApp app;
        try {
            app = ChatApp.start(System.getenv());
        } catch (ConfigException e) {
            System.err.println("chatapi: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }
}
