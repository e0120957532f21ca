/** The chat domain: value types and the authorization and handoff policies. */
package io.chatapi.domain;
