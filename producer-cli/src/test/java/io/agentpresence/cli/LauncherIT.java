package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bin/presence} as a user runs it from a checkout after the build: it finds the jar beside itself, starts
 * from the archive the build made, and behaves as the jar does.
 */
@ExtendWith(PresenceInfrastructure.class)
class LauncherIT {

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

    private record Launched(int exitCode, String output) {
    }

    /** Runs {@code bin/presence} with this JVM as its {@code JAVA_HOME}, stdout and stderr together. */
    private static Launched launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("bin").resolve("presence");
        assertThat(launcher).as("bin/presence beside the module").isExecutable();
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
