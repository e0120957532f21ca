package io.chatapi.bootstrap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a {@code DATABASE_DSN} into the SQLite file it names. Accepted: an SQLite URI
 * ({@code file:./chatapi.db}, {@code file:/var/lib/chatapi.db?mode=rwc}, {@code file:///var/lib/chatapi.db},
 * percent-escapes decoded), a JDBC URL ({@code jdbc:sqlite:path} or {@code jdbc:sqlite:file:path}), or a
 * bare path taken literally; a file name holding {@code ?} is refused, as SQLite's JDBC driver cannot open it. Query parameters of the URI and JDBC forms are dropped (the server sets its
 * own pragmas); in-memory databases and other databases' URLs are refused.
 */
record DatabaseDsn(Path file, List<String> ignoredParameters) {
    private static final String JDBC_PREFIX = "jdbc:sqlite:";
    private static final String FILE_PREFIX = "file:";
    private static final Pattern OTHER_URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://|jdbc:).*", Pattern.DOTALL);

    DatabaseDsn {
        ignoredParameters = List.copyOf(ignoredParameters);
    }

    /** Throws {@link IllegalArgumentException} with the reason when the DSN names no usable file. */
    static DatabaseDsn parse(String dsn) {
        String rest = dsn;
        boolean url = false;
        if (rest.startsWith(JDBC_PREFIX)) {
            rest = rest.substring(JDBC_PREFIX.length());
            url = true;
        }
        boolean uri = rest.startsWith(FILE_PREFIX);
        if (uri) {
            rest = rest.substring(FILE_PREFIX.length());
            url = true;
        }
        List<String> parameters = new ArrayList<>();
        if (url) {
            int query = indexOfAny(rest, '?', '#');
            if (query >= 0) {
                String tail = rest.substring(query);
                rest = rest.substring(0, query);
                parameters = parameterNames(tail);
                if (("&" + queryOf(tail) + "&").contains("&mode=memory&")) {
                    throw new IllegalArgumentException("in-memory databases are not supported; name a file");
                }
            }
        }
        if (uri) {
            rest = withoutAuthority(rest);
            rest = percentDecode(rest);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("no database file named");
        }
        if (rest.charAt(0) <= ' ' || rest.charAt(rest.length() - 1) <= ' ') {
            // SQLite's JDBC driver trims them: it would open another file than the one the server locks
            throw new IllegalArgumentException("a database file name may not begin or end with a space or a control "
                    + "character");
        }
        if (rest.endsWith("/")) {
            throw new IllegalArgumentException("names a directory, not a database file");
        }
        if (rest.equals(":memory:")) {
            throw new IllegalArgumentException("in-memory databases are not supported; name a file");
        }
        if (!url && OTHER_URL.matcher(rest).matches()) {
            throw new IllegalArgumentException("only SQLite is supported: expected file:path, jdbc:sqlite:path or a path");
        }
        if (rest.indexOf('?') >= 0) {
            // SQLite's JDBC driver reads what follows a ? as its own parameters and would open another file
            throw new IllegalArgumentException("a database file name may not contain '?' (what follows it is not shown)");
        }
        try {
            return new DatabaseDsn(Path.of(rest), parameters);
        } catch (InvalidPathException e) {
            String encoding = System.getProperty("sun.jnu.encoding", "");
            if (rest.chars().anyMatch(c -> c > 0x7f) && !encoding.equalsIgnoreCase("UTF-8")) {
                throw new IllegalArgumentException("the path has characters that file names in this locale's encoding ("
                        + encoding + ") cannot hold; start the server with a UTF-8 locale, such as LANG=C.UTF-8", e);
            }
            throw new IllegalArgumentException("not a valid file path", e);
        }
    }

    /** {@code //host/path} → {@code /path}; only an empty host or {@code localhost} is allowed. */
    private static String withoutAuthority(String path) {
        if (!path.startsWith("//")) {
            return path;
        }
        int slash = path.indexOf('/', 2);
        String authority = slash < 0 ? path.substring(2) : path.substring(2, slash);
        if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
            throw new IllegalArgumentException("a file: URI may not name a remote host");
        }
        return slash < 0 ? "" : path.substring(slash);
    }

    /** What lies between the {@code ?} and the fragment, if any, of the query and fragment {@code tail}. */
    private static String queryOf(String tail) {
        String query = tail.startsWith("?") ? tail.substring(1) : "";
        int fragment = query.indexOf('#');
        return fragment < 0 ? query : query.substring(0, fragment);
    }

    private static List<String> parameterNames(String tail) {
        List<String> names = new ArrayList<>();
        String query = queryOf(tail);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        int hash = tail.indexOf('#');
        if (hash >= 0 && hash < tail.length() - 1) {
            names.add("#fragment"); // named, not shown, like the parameters' values
        }
        return names;
    }

    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                int high = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
                int low = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("bad %-escape in file: URI");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int indexOfAny(String text, char a, char b) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == a || text.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
