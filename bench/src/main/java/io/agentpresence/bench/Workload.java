package io.agentpresence.bench;

import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The standard workload: {@code events} JSON events over {@code users} users drawn uniformly with a fixed
 * seed, event times increasing, produced to a fresh topic before the consumer starts. The model is the last
 * event per user, which is what the table must hold afterwards.
 */
final class Workload {

    static final long SEED = 20261128L;
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");

    private final int events;
    private final int users;
    private final String[] status;
    private final long[] ts;

    Workload(int events, int users) {
        this.events = events;
        this.users = users;
        this.status = new String[users];
        this.ts = new long[users];
    }

    static String userId(int user) {
        return "agent-" + user;
    }

    static void createTopic(String bootstrapServers, String topic, int partitions) throws Exception {
        KafkaTopics.create(bootstrapServers, topic, partitions, Map.of("cleanup.policy", "compact"));
    }

    /** Produces every event and records the model; returns the produce time in milliseconds. */
    long produce(String bootstrapServers, String topic) throws Exception {
        PresenceEventCodec codec = new PresenceEventCodec();
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        long start = System.nanoTime();
        long baseTs = System.currentTimeMillis() - events - 60_000;
        SplittableRandom random = new SplittableRandom(SEED);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(PresencePublisher.producerSettings(settings))) {
            for (int i = 0; i < events; i++) {
                int user = random.nextInt(users);
                String s = STATUSES.get(random.nextInt(STATUSES.size()));
                PresenceEvent event = new PresenceEvent(userId(user), s, baseTs + i, "bench");
                status[user] = s;
                ts[user] = event.ts();
                producer.send(new ProducerRecord<>(topic, PresenceEventCodec.key(event.userId()), codec.encode(event)));
            }
            producer.flush();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    int events() {
        return events;
    }

    /** Users the workload touched at least once: the rows the table must have. */
    int distinctUsers() {
        int n = 0;
        for (String s : status) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }

    /** The status and ts the model holds for {@code user}; null status when the user never appeared. */
    String status(int user) {
        return status[user];
    }

    long ts(int user) {
        return ts[user];
    }

    int users() {
        return users;
    }
}
