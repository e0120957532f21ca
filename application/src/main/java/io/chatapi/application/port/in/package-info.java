/** Incoming ports: the use cases transports call. Each call is authorized against the given principal. */
package io.chatapi.application.port.in;
