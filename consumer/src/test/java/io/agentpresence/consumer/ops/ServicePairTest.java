package io.agentpresence.consumer.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code run} with the order stage: two services as one, stopped when either stops, closed upstream first. */
class ServicePairTest {

    private static final class FakeService implements Service {
        private final String name;
        private final List<String> closed;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        volatile boolean live = true;
        volatile boolean ready = true;
        volatile Throwable failure;

        FakeService(String name, List<String> closed) {
            this.name = name;
            this.closed = closed;
        }

        void fail(Throwable e) {
            failure = e;
            live = false;
            stopped.countDown();
        }

        @Override
        public PrometheusMeterRegistry meterRegistry() {
            return registry;
        }

        @Override
        public boolean isLive() {
            return live;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void awaitTermination() throws InterruptedException {
            stopped.await();
        }

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public void close() {
            synchronized (closed) {
                closed.add(name);
            }
            stopped.countDown();
        }
    }

    @Test
    void thePairIsLiveAndReadyOnlyWhenBothAreAndServesTheFirstsMeters() {
        List<String> closed = new ArrayList<>();
        FakeService consumer = new FakeService("consumer", closed);
        FakeService stage = new FakeService("order", closed);
        ServicePair pair = new ServicePair(consumer, "consumer", stage, "order");

        assertThat(pair.isLive()).isTrue();
        assertThat(pair.isReady()).isTrue();
        assertThat(pair.meterRegistry()).isSameAs(consumer.meterRegistry());
        stage.ready = false;
        assertThat(pair.isReady()).isFalse();
        assertThat(pair.isLive()).isTrue();
        consumer.live = false;
        assertThat(pair.isLive()).isFalse();
    }

    @Test
    void whenEitherStopsThePairStopsWithItsFailureAndClosesTheUpstreamServiceFirst() throws Exception {
        List<String> closed = new ArrayList<>();
        FakeService consumer = new FakeService("consumer", closed);
        FakeService stage = new FakeService("order", closed);
        ServicePair pair = new ServicePair(consumer, "consumer", stage, "order");
        CountDownLatch returned = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                pair.awaitTermination();
                returned.countDown();
            } catch (InterruptedException e) {
                // the test ends
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();

        // parked in awaitTermination, not on its way out: it returns only when one of them stops
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.WAITING
                || waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(returned.getCount()).as("still waiting while both run").isOne();
        IllegalStateException broken = new IllegalStateException("stage failed");
        stage.fail(broken);

        assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pair.failure()).isSameAs(broken);
        pair.close();
        assertThat(closed).containsExactly("order", "consumer");
    }
}
