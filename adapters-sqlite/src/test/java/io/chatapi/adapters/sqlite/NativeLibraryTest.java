package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.util.LibraryLoaderUtil;

class NativeLibraryTest {
    private static final String RESOURCE = "/org/sqlite/native/Linux/x86_64";
    private static final String ENTRY = "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so";
    private static final byte[] LIBRARY = {0x7f, 'E', 'L', 'F', 1, 2, 3};

    @TempDir
    Path dir;

    @Test
    void findsTheLibraryUnpackedBesideTheJarInTheFolderNamedAfterIt() throws IOException {
        Path jar = jar("chatapi.jar", LIBRARY);
        Path library = unpack("chatapi-native", LIBRARY);

        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).contains(library);
    }

    @Test
    void ignoresACopyThatIsNotTheJarsOwnFile() throws IOException {
        Path jar = jar("chatapi.jar", LIBRARY);
        byte[] otherBuild = LIBRARY.clone();
        otherBuild[6] = 4;
        unpack("chatapi-native", otherBuild);

        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).isEmpty();

        unpack("chatapi-native", new byte[] {0x7f, 'E', 'L', 'F'});
        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).isEmpty();
    }

    @Test
    void ignoresAnotherJarsFolderAMissingPlatformAJarWithoutTheEntryAndAnythingButAJar() throws IOException {
        unpack("sqlite-jdbc-3.50.0.0-native", LIBRARY);
        Path jar = jar("sqlite-jdbc-3.54.1.0.jar", LIBRARY);

        assertThat(NativeLibrary.unpacked(jar, RESOURCE, "libsqlitejdbc.so")).isEmpty();
        assertThat(NativeLibrary.unpacked(dir.resolve("sqlite-jdbc-3.50.0.0.jar"), "/org/sqlite/native/Mac/aarch64",
                "libsqlitejdbc.dylib")).isEmpty();
        assertThat(NativeLibrary.unpacked(dir.resolve("classes"), RESOURCE, "libsqlitejdbc.so")).isEmpty();

        Path notAZip = Files.write(dir.resolve("broken.jar"), LIBRARY);
        unpack("broken-native", LIBRARY);
        assertThat(NativeLibrary.unpacked(notAZip, RESOURCE, "libsqlitejdbc.so")).isEmpty();
    }

    @Test
    void namesTheSameFolderAsSqliteJdbcsOwnLookupOnThisPlatform() {
        assertThat(NativeLibrary.resourcePath()).isEqualTo(LibraryLoaderUtil.getNativeLibResourcePath());
    }

    @Test
    void neverResolvesOutsideTheFolder() throws IOException {
        Path jar = jar("chatapi.jar", LIBRARY);
        Files.write(dir.resolve("evil.so"), new byte[] {1});

        assertThat(NativeLibrary.unpacked(jar, "/../..", "evil.so")).isEmpty();
    }

    private Path jar(String name, byte[] library) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry(ENTRY));
            zip.write(library);
            zip.closeEntry();
        }
        return jar;
    }

    private Path unpack(String folder, byte[] library) throws IOException {
        Path file = dir.resolve(folder).resolve(ENTRY);
        Files.createDirectories(file.getParent());
        return Files.write(file, library);
    }
}
