package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.support.RepositoryFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code scripts/chaos --help} and {@code bench/run --help} answer at once: asking for help builds nothing. */
class ScriptHelpTest {

    @Test
    void chaosHelpPrintsItsUsageWithoutBuilding() throws Exception {
        String help = helpOf(Path.of("scripts", "chaos"));

        assertThat(help).contains("scripts/chaos 45s 38").doesNotContain("BUILD", "[INFO]");
    }

    @Test
    void benchHelpPrintsItsUsageWithoutBuilding() throws Exception {
        String help = helpOf(Path.of("bench", "run"));

        assertThat(help).contains("bench/run").doesNotContain("BUILD", "[INFO]");
    }

    /** Runs {@code script --help}; a build would take far longer than the few seconds allowed here. */
    private static String helpOf(Path script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(RepositoryFile.find(script).toString(), "--help");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        boolean exited = process.waitFor(10, TimeUnit.SECONDS);
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        assertThat(exited).as(script + " --help within 10 s").isTrue();
        assertThat(process.exitValue()).isZero();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
