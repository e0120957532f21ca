/** The ws adapter. */
package io.chatapi.adapters.ws;
