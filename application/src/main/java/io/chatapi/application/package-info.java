/** Shared application types: settings and the server's counters. */
package io.chatapi.application;
