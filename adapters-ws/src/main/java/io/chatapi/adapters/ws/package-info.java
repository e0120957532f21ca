/**
 * The Helidon transport: {@link io.chatapi.adapters.ws.ChatServer} serves the REST API and the WebSocket protocol
 * on one port, and {@link io.chatapi.adapters.ws.ConnectionRegistry} fans events out to open sockets.
 */
package io.chatapi.adapters.ws;
