package io.agentpresence.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Recognises a mariadbd left running by a stack that was killed with {@code kill -9}: it still holds the port,
 * but {@code EmbeddedMariaDb} stops it on start, so the port check must not reject it.
 */
final class OrphanedMariaDb {

    private OrphanedMariaDb() {
    }

    static boolean holds(Path mariaDbDir) {
        Path dataDir = mariaDbDir.resolve("data");
        if (!Files.isDirectory(dataDir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(f -> f.toString().endsWith(".pid"))
                    .flatMap(f -> readPid(f).stream())
                    .flatMap(pid -> ProcessHandle.of(pid).stream())
                    .anyMatch(p -> p.info().command().orElse("").contains("mariadbd"));
        } catch (IOException e) {
            // unreadable: let the port check speak
            return false;
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            // a vanished or half-written pid file names no process
            return Optional.empty();
        }
    }
}
