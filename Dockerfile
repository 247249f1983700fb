# The consumer service and the presence CLI in one image.
#   docker build -t agent-presence .
#   docker run --rm -e PRESENCE_BOOTSTRAP_SERVERS=... -e PRESENCE_DB_URL=... agent-presence            # run
#   docker run --rm --entrypoint java agent-presence -jar /app/presence-cli.jar set agent-42 online    # CLI
#   docker run --rm -v fold-state:/var/lib/agent-presence -e ... agent-presence fold                   # the fold

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY presence-model presence-model
COPY embedded embedded
COPY consumer consumer
COPY producer-cli producer-cli
COPY local-stack/pom.xml local-stack/pom.xml
COPY bench/pom.xml bench/pom.xml
# -Dexec.skip: the class-data-sharing archives made beside the jars fit this JDK only; the runtime stage makes its own
RUN ./mvnw -B -q -pl consumer,producer-cli -am package -DskipTests -Dexec.skip=true

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app presence \
    && mkdir -p /var/lib/agent-presence/fold-state && chown -R presence /var/lib/agent-presence
# the fold's local state (a cache of its changelog topics); mount a volume here to keep it across restarts
ENV PRESENCE_FOLD_STATE_DIR=/var/lib/agent-presence/fold-state
WORKDIR /app
COPY --from=build /src/consumer/target/presence-consumer.jar /src/producer-cli/target/presence-cli.jar /app/
# the class-data-sharing archive of the classes a `run` loads, made on this image's JVM with the jar where it runs (a
# JVM uses only an archive it made itself): a start without broker or database, as the build makes it for bin/
RUN java -XX:ArchiveClassesAtExit=/app/presence-consumer.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
        -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp /app/presence-consumer.jar io.agentpresence.consumer.ClassDataWorkload > /dev/null
USER presence
EXPOSE 8080
# C1 only: the C2 compiler's work costs more CPU than its faster code saves on a consumer bound by the database and
# the broker (bench/run: consumer CPU -30%, same or better events/s). The serial collector: its write barrier is one
# store where G1's, compiled by C1, is a string of checks on every reference stored (bench/run: consumer CPU -15%,
# events/s +10%; the heap holds a batch or two, so its pauses stay short). bench/run starts the consumer with these.
# The archive saves the start a third of its class loading; a stale one is skipped without a word
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=/app/presence-consumer.jsa", \
            "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", "/app/presence-consumer.jar"]
CMD ["run"]
