package io.chatapi.adapters.sqlite;

import java.nio.file.Path;

/** Where the database lives and how hard each commit is synced ({@code FULL} or {@code NORMAL}). */
public record SqliteSettings(Path file, String synchronous) {
}
