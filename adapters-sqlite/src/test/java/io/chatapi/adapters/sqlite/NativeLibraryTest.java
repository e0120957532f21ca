package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.util.LibraryLoaderUtil;

class NativeLibraryTest {
    private static final String RESOURCE = "/org/sqlite/native/Linux/x86_64";

    @TempDir
    Path libs;

    @Test
    void findsTheLibraryUnpackedBesideTheJarInTheFolderNamedAfterIt() throws IOException {
        Path jar = Files.createFile(libs.resolve("sqlite-jdbc-3.54.1.0.jar"));
        Path library = libs.resolve("sqlite-jdbc-3.54.1.0-native/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");
        Files.createDirectories(library.getParent());
        Files.write(library, new byte[] {1});

        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).contains(library);
    }

    @Test
    void ignoresAnotherVersionsFolderAMissingPlatformAndAnythingButAJar() throws IOException {
        Path older = libs.resolve("sqlite-jdbc-3.50.0.0-native/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");
        Files.createDirectories(older.getParent());
        Files.write(older, new byte[] {1});
        Path jar = Files.createFile(libs.resolve("sqlite-jdbc-3.54.1.0.jar"));

        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).isEmpty();
        assertThat(NativeLibrary.unpacked(libs.resolve("sqlite-jdbc-3.50.0.0.jar"), "/org/sqlite/native/Mac/aarch64",
                "libsqlitejdbc.dylib")).isEmpty();
        assertThat(NativeLibrary.unpacked(libs.resolve("classes"), RESOURCE, "libsqlitejdbc.so")).isEmpty();
    }

    @Test
    void namesTheSameFolderAsSqliteJdbcsOwnLookupOnThisPlatform() {
        assertThat(NativeLibrary.resourcePath()).isEqualTo(LibraryLoaderUtil.getNativeLibResourcePath());
    }

    @Test
    void neverResolvesOutsideTheFolder() throws IOException {
        Path jar = Files.createFile(libs.resolve("sqlite-jdbc-3.54.1.0.jar"));
        Files.write(libs.resolve("evil.so"), new byte[] {1});

        assertThat(NativeLibrary.unpacked(jar, "/../..", "evil.so")).isEmpty();
    }
}
