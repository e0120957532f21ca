package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ByUserAndRoomTest {
    private final ByUserAndRoom<Integer> values = new ByUserAndRoom<>();

    @Test
    void aUsersRoomsAreFoundByTheUserAndCounted() {
        values.compute(new UserInRoom("ann", "r1"), (k, v) -> 1);
        values.compute(new UserInRoom("ann", "r2"), (k, v) -> 2);
        values.compute(new UserInRoom("bob", "r1"), (k, v) -> 3);

        assertThat(values.keysOf("ann")).containsExactlyInAnyOrder(new UserInRoom("ann", "r1"),
                new UserInRoom("ann", "r2"));
        assertThat(values.keysOf("cid")).isEmpty();
        assertThat(values.size()).isEqualTo(3);
        assertThat(values.get(new UserInRoom("bob", "r1"))).isEqualTo(3);

        assertThat(values.compute(new UserInRoom("ann", "r1"), (k, v) -> v + 10)).isEqualTo(11);
        assertThat(values.computeIfPresent(new UserInRoom("ann", "r9"), (k, v) -> 5)).isNull();
        assertThat(values.size()).isEqualTo(3);

        values.remove(new UserInRoom("ann", "r2"), 99);
        assertThat(values.get(new UserInRoom("ann", "r2"))).as("removed only while equal").isEqualTo(2);
        values.remove(new UserInRoom("ann", "r2"), 2);
        assertThat(values.remove(new UserInRoom("ann", "r1"))).isEqualTo(11);
        assertThat(values.remove(new UserInRoom("ann", "r1"))).isNull();
        assertThat(values.keysOf("ann")).isEmpty();
        assertThat(values.size()).isEqualTo(1);

        values.removeIf(v -> v == 3);
        assertThat(values.isEmpty()).isTrue();
        assertThat(values.size()).isZero();
    }

    @Test
    void valuesPutWhileOthersOfTheUserAreRemovedAreKept() throws Exception {
        var pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        UserInRoom key = new UserInRoom("ann", "r" + thread);
                        values.compute(key, (k, v) -> 1);
                        values.remove(key);
                    }
                    values.compute(new UserInRoom("ann", "r" + thread), (k, v) -> thread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(values.keysOf("ann")).hasSize(4);
        assertThat(values.size()).isEqualTo(4);
    }
}
