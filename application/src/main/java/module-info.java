/** Use cases and the ports they need; no framework types. */
module io.chatapi.application {
    requires transitive io.chatapi.domain;

    exports io.chatapi.application.port.in;
    exports io.chatapi.application.port.out;
    exports io.chatapi.application;
    exports io.chatapi.application.service to io.chatapi.bootstrap;
}
