package io.chatapi.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Creates the users' rooms of a scenario over REST, a few requests at a time. */
final class Setup {
    private static final int CONCURRENCY = 8;

    private Setup() {
    }

    /** Groups users two by two (the last group takes three when the count is odd). */
    static List<List<String>> pairs(List<String> users) {
        List<List<String>> out = new ArrayList<>();
        int i = 0;
        while (i < users.size()) {
            int size = users.size() - i == 3 ? 3 : Math.min(2, users.size() - i);
            out.add(List.copyOf(users.subList(i, i + size)));
            i += size;
        }
        return out;
    }

    /** Cuts users into rooms of {@code size} (the last one may be smaller). */
    static List<List<String>> chunks(List<String> users, int size) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < users.size(); i += size) {
            out.add(List.copyOf(users.subList(i, Math.min(users.size(), i + size))));
        }
        return out;
    }

    static List<String> users(String prefix, int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Creates one group room per member list (with the admin API) and returns the room ids in the same order. */
    static List<String> groups(Api admin, String namePrefix, List<List<String>> memberLists) {
        Semaphore permits = new Semaphore(CONCURRENCY);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < memberLists.size(); i++) {
                List<String> members = memberLists.get(i);
                String name = namePrefix + i;
                futures.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        return admin.createGroup(name, members);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> future : futures) {
                ids.add(future.get());
            }
            return ids;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BenchException b ? b : new BenchException("room setup failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted during room setup", e);
        }
    }

    /** Splits {@code items} into {@code parts} nearly equal consecutive slices. */
    static <T> List<List<T>> split(List<T> items, int parts) {
        List<List<T>> out = new ArrayList<>();
        int n = Math.max(1, parts);
        for (int p = 0; p < n; p++) {
            int from = (int) ((long) items.size() * p / n);
            int to = (int) ((long) items.size() * (p + 1) / n);
            out.add(items.subList(from, to));
        }
        return out;
    }
}
