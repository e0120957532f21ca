/** The wire's JSON: parsing requests and frames with field-naming errors, and writing every shape and event. */
package io.chatapi.adapters.ws.json;
