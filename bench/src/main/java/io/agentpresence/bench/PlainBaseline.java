package io.agentpresence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The plain batched consumer the project must beat: per poll of up to 5,000 records one multi-row upsert (the last
 * write wins, no guard), one database commit, then the Kafka commit. No validation, no dead letters, no positions in
 * the database. It runs in its own JVM with the consumer's heap, from start to the last record, like the consumer.
 */
final class PlainBaseline {

    record Result(double seconds, double firstRowSeconds, double cpuSeconds, long peakHeapBytes) {
    }

    private static final String UPSERT_ROW = "(?, ?, ?, ?)";
    private static final String UPSERT_TAIL = " ON DUPLICATE KEY UPDATE status = VALUES(status),"
            + " event_ts = VALUES(event_ts), source = VALUES(source), updated_at = CURRENT_TIMESTAMP(3)";

    /** Starts the plain consumer in a JVM of its own and waits until it has applied {@code events} records. */
    static Result run(Path java, String heap, List<String> jvmOptions, String bootstrapServers, String topic,
                      String jdbcUrl, String user, String password, int events, int maxPollRecords) throws Exception {
        Path jar = Path.of(PlainBaseline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-Xms" + heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", jar.toString(), PlainBaseline.class.getName(),
                bootstrapServers, topic, jdbcUrl, user, password, String.valueOf(events), String.valueOf(maxPollRecords)));
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long firstRowMillis = -1;
        double cpu = Double.NaN;
        long heapBytes = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "first-row" -> firstRowMillis = Long.parseLong(f[1]);
                    case "done" -> {
                        cpu = Long.parseLong(f[1]) / 1e9;
                        heapBytes = Long.parseLong(f[2]);
                    }
                    default -> System.err.println("plain: " + line);
                }
            }
        }
        if (process.waitFor() != 0 || Double.isNaN(cpu)) {
            throw new IllegalStateException("the plain consumer failed, exit status " + process.exitValue());
        }
        return new Result((System.nanoTime() - start) / 1e9, (firstRowMillis - startMillis) / 1000.0, cpu, heapBytes);
    }

    /** The plain consumer itself: bootstrap topic jdbcUrl user password events maxPollRecords. */
    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[5]);
        ObjectMapper json = new ObjectMapper();
        try (Connection c = DriverManager.getConnection(args[2], args[3], args[4]);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                     ConsumerConfig.GROUP_ID_CONFIG, "plain-" + args[1],
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                     ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.parseInt(args[6]),
                     ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                     ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            c.setAutoCommit(false);
            consumer.subscribe(List.of(args[1]));
            long done = 0;
            boolean first = true;
            while (done < events) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                List<JsonNode> rows = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    rows.add(json.readTree(record.value()));
                }
                upsert(c, rows);
                c.commit();
                consumer.commitAsync();
                done += records.count();
                if (first) {
                    System.out.println("first-row " + System.currentTimeMillis());
                    first = false;
                }
            }
            consumer.commitSync();
        }
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            heap += pool.getType() == MemoryType.HEAP ? pool.getPeakUsage().getUsed() : 0;
        }
        System.out.println("done " + cpu + " " + heap);
    }

    /** One statement for the whole poll; within it a later row of the same user overwrites an earlier one. */
    private static void upsert(Connection c, List<JsonNode> rows) throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO agent_presences (user_id, status, event_ts, source) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(UPSERT_ROW);
        }
        try (PreparedStatement ps = c.prepareStatement(sql.append(UPSERT_TAIL).toString())) {
            int p = 1;
            for (JsonNode row : rows) {
                ps.setString(p++, row.get("userId").asText());
                ps.setString(p++, row.get("status").asText());
                ps.setLong(p++, row.get("ts").asLong());
                ps.setString(p++, row.path("source").asText(null));
            }
            ps.executeUpdate();
        }
    }

    private PlainBaseline() {
    }
}
