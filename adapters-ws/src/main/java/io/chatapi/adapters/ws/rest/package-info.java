/** The REST API on Helidon routing: filters (log, CORS, auth, socket handshake), routes and error answers. */
package io.chatapi.adapters.ws.rest;
