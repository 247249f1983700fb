package io.agentpresence.consumer.support;

import io.agentpresence.embedded.EmbeddedKafkaBroker;
import io.agentpresence.embedded.junit.DatabaseServer;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.TestDatabase;
import java.util.Optional;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.Lifespan;
import net.jqwik.api.lifecycle.ParameterResolutionContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.ResolveParameterHook;
import net.jqwik.api.lifecycle.Store;

/**
 * What {@code PresenceInfrastructure} is to Jupiter tests, for jqwik properties: a {@link TestDatabase} of its own
 * for each class of properties (created on first use and shared by its properties and their tries, so migrations
 * run once; dropped when the run ends) and a {@link KafkaEndpoint}, one broker for the run. Both servers start on
 * first use and stop when the run ends.
 *
 * <pre>{@code
 * @AddLifecycleHook(PropertyInfrastructure.class)
 * class SomethingPropertiesIT {
 *     @BeforeProperty void open(TestDatabase db) { ... }
 * }
 * }</pre>
 */
public final class PropertyInfrastructure implements ResolveParameterHook {

    /** Added to a container, it serves the container's properties and their lifecycle methods. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public Optional<ParameterSupplier> resolve(ParameterResolutionContext parameter, LifecycleContext context) {
        Class<?> type = parameter.parameter().getType();
        if (type == KafkaEndpoint.class) {
            return Optional.of(tryContext -> broker());
        }
        if (type == TestDatabase.class) {
            Class<?> owner = context.optionalContainerClass().orElseThrow();
            return Optional.of(tryContext -> database(owner));
        }
        return Optional.empty();
    }

    private static KafkaEndpoint broker() {
        return Store.getOrCreate(SharedBroker.class, Lifespan.RUN,
                () -> new SharedBroker(start(EmbeddedKafkaBroker::startTemporary))).get();
    }

    private static TestDatabase database(Class<?> owner) {
        DatabaseServer server = Store.getOrCreate(SharedServer.class, Lifespan.RUN,
                () -> new SharedServer(start(DatabaseServer::pick))).get().server();
        return Store.getOrCreate(Tuple.of(OwnedDatabase.class, owner), Lifespan.RUN,
                () -> new OwnedDatabase(server, start(server::createDatabase))).get().database();
    }

    private interface Starter<T> {
        T start() throws Exception;
    }

    private static <T> T start(Starter<T> starter) {
        try {
            return starter.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start test infrastructure: " + e.getMessage(), e);
        }
    }

    private record SharedBroker(EmbeddedKafkaBroker broker) implements KafkaEndpoint, Store.CloseOnReset {
        @Override
        public String bootstrapServers() {
            return broker.bootstrapServers();
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    private record SharedServer(DatabaseServer server) implements Store.CloseOnReset {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    private record OwnedDatabase(DatabaseServer server, TestDatabase database) implements Store.CloseOnReset {
        @Override
        public void close() throws Exception {
            server.dropDatabase(database);
        }
    }
}
