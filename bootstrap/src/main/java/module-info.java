/** The server's entry point: reads configuration and wires adapters to use cases. */
module io.chatapi.bootstrap {
    requires io.chatapi.application;
    requires io.chatapi.adapters.sqlite;
    requires io.chatapi.adapters.webhook;
    requires io.chatapi.adapters.llm;
    requires io.chatapi.adapters.ws;
    requires io.helidon.logging.common;
    requires io.helidon.logging.jul;
    requires java.logging;
    requires java.management;

    // JUL creates the log manager Main names (ShutdownLogManager) by reflection
    exports io.chatapi.bootstrap to java.logging;
}
