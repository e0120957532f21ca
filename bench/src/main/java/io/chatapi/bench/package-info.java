/**
 * The benchmark coordinator ({@link io.chatapi.bench.Bench}), its scenarios, and the load-generator
 * process ({@link io.chatapi.bench.LoadWorker}); everything talks to the server only through its wire contract.
 */
package io.chatapi.bench;
