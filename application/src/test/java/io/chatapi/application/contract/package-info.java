/**
 * Abstract contract tests of the store ports: each adapter (and each fake) runs them by extending a contract and
 * supplying fresh stores; shipped in the test-jar.
 */
package io.chatapi.application.contract;
