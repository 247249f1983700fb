package io.agentpresence.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JDKs {@code bin/presence} can choose from, found as it finds them: this test's own JVM and the JDKs under
 * {@code /usr/lib/jvm}, each with the {@code JAVA_VERSION} of its {@code release} file.
 */
final class InstalledJdks {

    /** The first Java release whose AOT cache the launcher trains and uses. */
    static final int AOT_CACHE_FEATURE = 25;

    private static final Path SYSTEM_JDKS = Path.of("/usr/lib/jvm");

    record Jdk(Path home, Runtime.Version version) {

        Path java() {
            return home.resolve("bin").resolve("java");
        }

        boolean hasAotCache() {
            return version.feature() >= AOT_CACHE_FEATURE;
        }
    }

    private InstalledJdks() {
    }

    static Jdk current() {
        return new Jdk(Path.of(System.getProperty("java.home")), Runtime.version());
    }

    /** The newest JDK under {@code /usr/lib/jvm} with an AOT cache, the one the launcher prefers to a Java 17 home. */
    static Optional<Jdk> newestSystemJdkWithAotCache() {
        if (!Files.isDirectory(SYSTEM_JDKS)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(SYSTEM_JDKS)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
                    .flatMap(home -> releaseVersion(home).map(v -> new Jdk(home, v)).stream())
                    .filter(Jdk::hasAotCache)
                    .max(Comparator.comparing(Jdk::version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDK with an AOT cache: this JVM if it is one, else the newest system one. */
    static Optional<Jdk> anyWithAotCache() {
        return current().hasAotCache() ? Optional.of(current()) : newestSystemJdkWithAotCache();
    }

    private static Optional<Runtime.Version> releaseVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isReadable(release)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(release);
            return lines.stream().filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", ""))
                    .findFirst().map(Runtime.Version::parse);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
