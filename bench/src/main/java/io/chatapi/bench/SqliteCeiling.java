package io.chatapi.bench;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What SQLite alone can do with the server's write shape, no server involved: {@code producers} closed-loop
 * producers (paired into rooms like the persist senders) queue messages; one writer thread takes everything
 * queued, and in one transaction per batch bumps each room's {@code last_seq} and inserts the message with
 * that seq; WAL mode with the server's checkpoint interval; a producer's message counts once its transaction has
 * committed.
 */
final class SqliteCeiling {
    private static final int MAX_BATCH = 4096;
    /** As the server's writer connection ({@code SqliteDatabase.WAL_AUTOCHECKPOINT_PAGES}): the same pragmas. */
    static final int WAL_AUTOCHECKPOINT_PAGES = 10_000;
    private static final String PADDING = "x".repeat(64);
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Committed rows in the measuring window, their rate, and producer-side commit latency. */
    record Result(long rows, double rowsPerSecond, Histogram latency, long transactions, long failures,
                  int walAutocheckpoint) {
        double averageBatch() {
            return transactions == 0 ? 0 : (double) rows / transactions;
        }
    }

    private record Pending(String roomId, String senderId, String content, String clientMsgId,
                           CompletableFuture<Void> done) {
    }

    private SqliteCeiling() {
    }

    static Result run(Path dbFile, int producers, Duration warmup, Duration duration, String synchronous) {
        String url = "jdbc:sqlite:" + dbFile.toAbsolutePath();
        Properties properties = new Properties();
        properties.setProperty("journal_mode", "WAL");
        properties.setProperty("synchronous", synchronous);
        properties.setProperty("busy_timeout", "5000");
        properties.setProperty("wal_autocheckpoint", Integer.toString(WAL_AUTOCHECKPOINT_PAGES));
        properties.setProperty("secure_delete", "true");
        // as the server's writer: no "SELECT last_insert_rowid()" by the driver after each INSERT
        properties.setProperty("jdbc.get_generated_keys", "false");
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            createSchema(connection);
            List<String> users = Setup.users("ceiling-u", producers);
            List<List<String>> rooms = Setup.pairs(users);
            String[] roomOf = new String[producers];
            try (PreparedStatement insertRoom = connection.prepareStatement("INSERT INTO rooms(room_id, last_seq) VALUES (?, 0)")) {
                int index = 0;
                for (int r = 0; r < rooms.size(); r++) {
                    String roomId = "room_c" + r;
                    insertRoom.setString(1, roomId);
                    insertRoom.executeUpdate();
                    for (int k = 0; k < rooms.get(r).size(); k++) {
                        roomOf[index++] = roomId;
                    }
                }
            }
            int walAutocheckpoint;
            try (Statement s = connection.createStatement(); ResultSet pragma = s.executeQuery("PRAGMA wal_autocheckpoint")) {
                pragma.next();
                walAutocheckpoint = pragma.getInt(1);
            }
            return measure(connection, users, roomOf, warmup, duration, walAutocheckpoint);
        } catch (SQLException e) {
            throw new BenchException("SQLite ceiling failed: " + e.getMessage(), e);
        }
    }

    private static Result measure(Connection connection, List<String> users, String[] roomOf, Duration warmup,
                                  Duration duration, int walAutocheckpoint) {
        BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong transactions = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        Thread writer = Thread.ofPlatform().name("ceiling-writer").start(() -> write(connection, queue, stop, transactions, failures));
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long end = measureStart + duration.toNanos();
        Histogram latency = Histograms.concurrent();
        AtomicLong rows = new AtomicLong();
        AtomicLong transactionsAtStart = new AtomicLong(-1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            String user = users.get(i);
            String room = roomOf[i];
            threads.add(Thread.ofVirtual().start(() -> {
                long n = 0;
                while (System.nanoTime() < end) {
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    long t0 = System.nanoTime();
                    queue.add(new Pending(room, user, "bench " + user + " " + n + " " + PADDING, "p" + n++, done));
                    try {
                        done.get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                        failures.incrementAndGet();
                        continue;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long t1 = System.nanoTime();
                    if (t0 >= measureStart && t1 <= end) {
                        transactionsAtStart.compareAndSet(-1, transactions.get());
                        rows.incrementAndGet();
                        Histograms.record(latency, (t1 - t0) / 1_000);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())).plusSeconds(35));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop.set(true);
        try {
            writer.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long measuredTransactions = transactions.get() - Math.max(0, transactionsAtStart.get());
        double seconds = duration.toNanos() / 1e9;
        return new Result(rows.get(), rows.get() / seconds, latency, measuredTransactions, failures.get(),
                walAutocheckpoint);
    }

    private static void write(Connection connection, BlockingQueue<Pending> queue, AtomicBoolean stop,
                              AtomicLong transactions, AtomicLong failures) {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try (PreparedStatement bump = connection.prepareStatement(
                "UPDATE rooms SET last_seq = last_seq + 1 WHERE room_id = ? RETURNING last_seq");
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO messages(message_id, room_id, sender_id, seq, content, client_msg_id, created_at)"
                             + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            connection.setAutoCommit(false);
            while (!stop.get() || !queue.isEmpty()) {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    String now = Instant.now().toString();
                    for (Pending p : batch) {
                        bump.setString(1, p.roomId());
                        long seq;
                        try (ResultSet rs = bump.executeQuery()) {
                            rs.next();
                            seq = rs.getLong(1);
                        }
                        insert.setString(1, messageId());
                        insert.setString(2, p.roomId());
                        insert.setString(3, p.senderId());
                        insert.setLong(4, seq);
                        insert.setString(5, p.content());
                        insert.setString(6, p.clientMsgId());
                        insert.setString(7, now);
                        insert.executeUpdate();
                    }
                    connection.commit();
                    transactions.incrementAndGet();
                    batch.forEach(p -> p.done().complete(null));
                } catch (SQLException e) {
                    failures.incrementAndGet();
                    try {
                        connection.rollback();
                    } catch (SQLException ignored) {
                        // the batch fails either way
                    }
                    batch.forEach(p -> p.done().completeExceptionally(e));
                }
                batch.clear();
            }
        } catch (SQLException e) {
            queue.forEach(p -> p.done().completeExceptionally(e));
            failures.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A message id shaped like the server's: {@code msg_}, the time in milliseconds (10 base-32 characters), then 16
     * random ones; ids of new messages sort last, as in the server's id index.
     */
    static String messageId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        StringBuilder id = new StringBuilder(30).append("msg_");
        long t = System.currentTimeMillis();
        for (int shift = 45; shift >= 0; shift -= 5) {
            id.append(ALPHABET[(int) (t >>> shift) & 31]);
        }
        for (byte b : bytes) {
            id.append(ALPHABET[b & 31]);
        }
        return id.toString();
    }

    private static void createSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS rooms (room_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS messages (message_id TEXT PRIMARY KEY, room_id TEXT NOT NULL,"
                    + " sender_id TEXT NOT NULL, seq INTEGER NOT NULL, content TEXT NOT NULL, meta TEXT,"
                    + " client_msg_id TEXT, created_at TEXT NOT NULL, edited_at TEXT, UNIQUE (room_id, seq))");
            s.execute("CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages(sender_id, room_id, client_msg_id)"
                    + " WHERE client_msg_id IS NOT NULL");
        }
    }
}
