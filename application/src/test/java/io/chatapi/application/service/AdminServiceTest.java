package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdminServiceTest {
    private final DeliveryStoreTestDouble store = new DeliveryStoreTestDouble();

    @Test
    void aProbeThatDoesNotFinishInTimeAnswersNotWritableAndTheChecksMeanwhileShareIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        store.writableProbe = () -> {
            try {
                return release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        var admin = new AdminService(store, Duration.ofMillis(200));
        List<Future<Boolean>> checks = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 5; i++) {
                checks.add(threads.submit(admin::databaseWritable));
            }
            for (Future<Boolean> check : checks) {
                assertThat(check.get(10, TimeUnit.SECONDS)).as("answered without waiting for the write").isFalse();
            }
        }
        assertThat(store.probes.get()).as("one probe write for all").isEqualTo(1);

        release.countDown();
        assertThat(admin.databaseWritable()).as("the same probe, or a new one once it is done").isTrue();
        store.writableProbe = () -> true;
        assertThat(admin.databaseWritable()).isTrue();
        assertThat(store.probes.get()).isBetween(2, 3);
    }

    @Test
    void aStoreThatRefusesTheProbeIsNotWritableAndAnotherFailureReachesTheCaller() {
        var admin = new AdminService(store);
        store.writableProbe = () -> {
            throw new StoreUnavailableException("the disk is full", null);
        };
        assertThat(admin.databaseWritable()).isFalse();
        store.writableProbe = () -> {
            throw new IllegalStateException("a fault");
        };
        assertThatThrownBy(admin::databaseWritable).isInstanceOf(IllegalStateException.class).hasMessage("a fault");
        store.writableProbe = () -> true;
        assertThat(admin.databaseWritable()).isTrue();
    }

    @Test
    void aCheckAfterAProbeEndedMakesItsOwnProbeAndNeverGetsTheOldOutcome() {
        var admin = new AdminService(store);
        for (int i = 0; i < 300; i++) {
            boolean writable = i % 2 == 0;
            store.writableProbe = () -> writable;
            assertThat(admin.databaseWritable()).as("check %d", i).isEqualTo(writable);
        }
    }
}
