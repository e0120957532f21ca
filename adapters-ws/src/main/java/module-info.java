/** The Helidon transport: the WebSocket protocol and the REST API on one server. */
module io.chatapi.adapters.ws {
    requires io.chatapi.application;
    requires io.helidon.common.buffers;
    requires io.helidon.http;
    requires io.helidon.webserver;
    requires io.helidon.webserver.websocket;
    requires io.helidon.websocket;
    requires com.nimbusds.jose.jwt;
    requires com.fasterxml.jackson.databind;
    requires java.logging;
    requires java.management;
    requires jdk.management;

    exports io.chatapi.adapters.ws to io.chatapi.bootstrap;
}
