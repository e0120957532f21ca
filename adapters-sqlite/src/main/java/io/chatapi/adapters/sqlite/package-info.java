/** The sqlite adapter. */
package io.chatapi.adapters.sqlite;
