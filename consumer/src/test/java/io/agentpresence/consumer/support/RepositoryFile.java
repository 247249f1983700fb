package io.agentpresence.consumer.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository outside the modules ({@code deploy/}), found from where the build runs the tests. */
public final class RepositoryFile {

    private RepositoryFile() {
    }

    /** {@code relative} to the repository's root, looked for from the working directory (the module's) upwards. */
    public static Path find(Path relative) throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IOException(relative + " not found in " + Path.of("").toAbsolutePath() + " or above");
    }
}
