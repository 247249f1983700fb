package io.agentpresence.consumer.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/** Writer threads that run nothing until the test says so, on the test's own thread: interleavings are exact. */
final class ManualExecutor extends AbstractExecutorService {

    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private boolean shutdown;

    int pending() {
        return tasks.size();
    }

    /** Runs the oldest task handed over; fails when there is none. */
    void runNext() {
        if (tasks.isEmpty()) {
            throw new IllegalStateException("no write was started");
        }
        tasks.poll().run();
    }

    @Override
    public void execute(Runnable command) {
        tasks.add(command);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = List.copyOf(tasks);
        tasks.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && tasks.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
