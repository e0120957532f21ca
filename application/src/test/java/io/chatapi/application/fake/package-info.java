/** Hand-written in-memory implementations of the store ports, for tests; shipped in the test-jar. */
package io.chatapi.application.fake;
