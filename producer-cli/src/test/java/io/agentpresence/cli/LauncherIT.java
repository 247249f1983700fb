package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpresence.cli.InstalledJdks.Jdk;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/presence} as a user runs it from a checkout after the build: it finds the jar beside itself, picks a
 * JVM, starts from the archive the build made or, on Java 25 and newer, from the AOT cache it trains on first use,
 * and behaves as the jar does. The tests of the AOT cache are skipped where no JDK 25+ is installed.
 */
@ExtendWith(PresenceInfrastructure.class)
class LauncherIT {

    private static final Path CHECKOUT_LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("bin")
            .resolve("presence");

    @TempDir
    Path scratch;

    @Test
    void theLauncherPublishesAnEventFromTheBuiltJar(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-launcher", 1);

        Launched run = launch(Map.of(), "set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "agent-42", "online");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).isEqualTo("sent agent-42=online to " + topic + " partition 0 offset 0\n");
    }

    @Test
    void theArchiveTheBuildMadeFitsThisJvm() throws Exception {
        assumeFalse(InstalledJdks.current().hasAotCache(), "on this JVM the launcher starts from an AOT cache instead");
        assertThat(Path.of("target", "presence-cli.jsa")).as("the archive made in the package phase").isRegularFile();
        // -Xshare:on refuses to start when the archive cannot be used, instead of going on without it
        Launched run = launch(Map.of("PRESENCE_CLI_JAVA_OPTS", "-Xshare:on"), "--help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).startsWith("Usage: presence");
    }

    @Test
    void withNoBrokerTheLauncherSaysSoWithinSeconds() throws Exception {
        long start = System.nanoTime();
        Launched run = launch(Map.of(), "set", "--bootstrap-servers=127.0.0.1:1", "--timeout=60s", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
        assertThat(run.output()).startsWith("presence: could not publish to topic 'agent-presence' at 127.0.0.1:1: "
                + "no broker answers");
    }

    @Test
    void presenceJavaWinsOverAJavaHomeWithAnAotCache() throws Exception {
        Jdk modern = jdkWithAotCache();
        Jdk current = InstalledJdks.current();

        Launched run = launch(copyOfCheckout(), Map.of("JAVA_HOME", modern.home().toString(),
                "PRESENCE_JAVA", current.java().toString(), "PRESENCE_CLI_JAVA_OPTS", "-version"));

        assertThat(run.output()).contains(versionLine(current));
    }

    @Test
    void withoutPresenceJavaTheNewestSystemJdkWithAnAotCacheIsPreferredToAnOlderJavaHome() throws Exception {
        assumeFalse(InstalledJdks.current().hasAotCache(), "this JVM is new enough to be the launcher's choice itself");
        Optional<Jdk> newest = InstalledJdks.newestSystemJdkWithAotCache();
        assumeTrue(newest.isPresent(), "no JDK " + InstalledJdks.AOT_CACHE_FEATURE + "+ in the system location");

        Launched run = launch(copyOfCheckout(), Map.of("PRESENCE_CLI_JAVA_OPTS", "-version"));

        assertThat(run.output()).contains(versionLine(newest.get()));
    }

    @Test
    void onAJdkWithAnAotCacheTheFirstRunTrainsItOnceAndTheNextStartsFromIt(KafkaEndpoint kafka) throws Exception {
        Jdk modern = jdkWithAotCache();
        Path checkout = copyOfCheckout();
        String topic = TestTopics.create(kafka, "cli-launcher-aot", 1);
        String[] set = {"set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic, "agent-42",
                "online"};

        Launched first = launch(checkout, Map.of("PRESENCE_JAVA", modern.java().toString()), set);
        // -XX:AOTMode=on refuses to start when the cache cannot be used, instead of going on without it
        Launched second = launch(checkout, Map.of("PRESENCE_JAVA", modern.java().toString(),
                "PRESENCE_CLI_JAVA_OPTS", "-XX:AOTMode=on"), set);

        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).startsWith("presence: preparing a start-up cache")
                .endsWith("sent agent-42=online to " + topic + " partition 0 offset 0\n");
        assertThat(Files.size(cache(checkout, modern))).isPositive();
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).isEqualTo("sent agent-42=online to " + topic + " partition 0 offset 1\n");
    }

    @Test
    void aForeignCacheIsSkippedWithoutAWordAndOneOlderThanTheJarIsTrainedAgain() throws Exception {
        Jdk modern = jdkWithAotCache();
        Path checkout = copyOfCheckout();
        Path cache = cache(checkout, modern);
        Path jar = checkout.resolve("producer-cli").resolve("target").resolve("presence-cli.jar");
        Files.writeString(cache, "not a cache");
        FileTime jarTime = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(cache, FileTime.fromMillis(jarTime.toMillis() + 60_000));
        Map<String, String> onModern = Map.of("PRESENCE_JAVA", modern.java().toString());

        Launched foreign = launch(checkout, onModern, "--help");
        Files.setLastModifiedTime(cache, FileTime.fromMillis(jarTime.toMillis() - 60_000));
        Launched stale = launch(checkout, onModern, "--help");

        assertThat(foreign.exitCode()).as(foreign.output()).isZero();
        assertThat(foreign.output()).startsWith("Usage: presence");
        assertThat(stale.exitCode()).as(stale.output()).isZero();
        assertThat(stale.output()).startsWith("presence: preparing a start-up cache").contains("Usage: presence");
        assertThat(Files.size(cache)).isGreaterThan("not a cache".length());
    }

    private record Launched(int exitCode, String output) {
    }

    private static Jdk jdkWithAotCache() {
        Optional<Jdk> jdk = InstalledJdks.anyWithAotCache();
        assumeTrue(jdk.isPresent(), "no JDK " + InstalledJdks.AOT_CACHE_FEATURE + "+ here");
        return jdk.get();
    }

    /** What {@code java -version} prints of the JDK, e.g. {@code version "25.0.3"}. */
    private static String versionLine(Jdk jdk) {
        return "version \"" + jdk.version().version().stream().map(String::valueOf).collect(Collectors.joining("."))
                + "\"";
    }

    private static Path cache(Path checkout, Jdk jdk) {
        String version = jdk.version().version().stream().map(String::valueOf).collect(Collectors.joining("."));
        return checkout.resolve("producer-cli").resolve("target").resolve("presence-cli-" + version + ".aot");
    }

    /** The launcher and the jar in a checkout of their own, so that the caches a test makes are its own. */
    private Path copyOfCheckout() throws IOException {
        Path target = Files.createDirectories(scratch.resolve("producer-cli").resolve("target"));
        Files.copy(Path.of("target", "presence-cli.jar"), target.resolve("presence-cli.jar"));
        Path bin = Files.createDirectories(scratch.resolve("bin"));
        Path launcher = Files.copy(CHECKOUT_LAUNCHER, bin.resolve("presence"));
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        return scratch;
    }

    /** Runs this checkout's {@code bin/presence} on this JVM, however new the JDKs installed beside it. */
    private static Launched launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Map<String, String> pinned = new HashMap<>(env);
        pinned.put("PRESENCE_JAVA", InstalledJdks.current().java().toString());
        return run(CHECKOUT_LAUNCHER, pinned, args);
    }

    private static Launched launch(Path checkout, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return run(checkout.resolve("bin").resolve("presence"), env, args);
    }

    /** Runs a launcher, with this JVM as its {@code JAVA_HOME} unless {@code env} says otherwise; output and errors. */
    private static Launched run(Path launcher, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        assertThat(launcher).isExecutable();
        ProcessBuilder builder = new ProcessBuilder(concat(launcher.toString(), args));
        builder.environment().keySet().removeIf(name -> name.startsWith("PRESENCE_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Launched(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }
}
