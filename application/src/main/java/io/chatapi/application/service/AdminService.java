package io.chatapi.application.service;

import io.chatapi.application.port.in.AdminUseCase;
import io.chatapi.application.port.in.HealthQuery;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Principal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** Dead letters for admins, and the health probe. */
public final class AdminService implements AdminUseCase, HealthQuery {
    /** How long a health check waits for the probe write before it answers that the database takes none. */
    static final Duration PROBE_WAIT = Duration.ofSeconds(2);

    private final DeliveryStore deliveries;
    private final Duration probeWait;
    /** The probe write under way, which every health check asked meanwhile waits for: one at a time. */
    private final AtomicReference<CompletableFuture<Boolean>> probing = new AtomicReference<>();

    public AdminService(DeliveryStore deliveries) {
        this(deliveries, PROBE_WAIT);
    }

    AdminService(DeliveryStore deliveries, Duration probeWait) {
        this.deliveries = deliveries;
        this.probeWait = probeWait;
    }

    @Override
    public List<DeadLetter> deadLetters(Principal caller, int limit) {
        RoomAccess.require(AccessPolicy.canAdminister(caller), "admins only");
        int clamped = limit < 1 ? 100 : Math.min(limit, 1000);
        return deliveries.deadLetters(clamped);
    }

    /**
     * Whether the probe write went through within {@link #PROBE_WAIT}: a database that another process holds
     * locked keeps a write waiting for SQLite's busy timeout (5 s) and more behind the writes queued before it,
     * longer than a load balancer waits for a health check. The probe goes on after such an answer, and the next
     * checks wait for it rather than queue probes of their own.
     */
    @Override
    public boolean databaseWritable() {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> probe = probing.compareAndExchange(null, mine);
        if (probe == null) {
            probe = mine;
            Thread.ofVirtual().name("health-probe").start(() -> {
                boolean writable = false;
                Throwable failure = null;
                try {
                    writable = deliveries.writable();
                } catch (StoreUnavailableException e) {
                    // not writable
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    probing.compareAndSet(mine, null); // before its waiters go on: a later check probes anew
                }
                if (failure != null) {
                    mine.completeExceptionally(failure);
                } else {
                    mine.complete(writable);
                }
            });
        }
        try {
            return probe.get(probeWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
