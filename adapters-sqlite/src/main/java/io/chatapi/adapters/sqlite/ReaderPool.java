package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/** A fixed pool of platform threads, each with its own read-only connection. */
final class ReaderPool {
    private final Jdbi jdbi;
    private final ExecutorService threads;
    private final List<Handle> handles = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Handle> handle;

    ReaderPool(Jdbi jdbi, int size, String threadName) {
        this.jdbi = jdbi;
        AtomicInteger counter = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(size, task -> Thread.ofPlatform()
                .name(threadName + "-" + counter.incrementAndGet()).daemon(true).unstarted(task));
        this.handle = ThreadLocal.withInitial(this::open);
    }

    /** Runs a read on a reader thread and blocks the caller until it is done. */
    <T> T read(HandleCallback<T, RuntimeException> work) {
        CompletableFuture<T> result;
        try {
            result = CompletableFuture.supplyAsync(() -> {
                try {
                    return work.withHandle(handle.get());
                } catch (RuntimeException e) {
                    throw Futures.translate(e);
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            throw new StoreUnavailableException("the database is closed", e);
        }
        return Futures.await(result);
    }

    /** Finishes running reads, then closes the connections. */
    void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handles.forEach(Handle::close);
    }

    private Handle open() {
        Handle opened = jdbi.open();
        handles.add(opened);
        return opened;
    }
}
