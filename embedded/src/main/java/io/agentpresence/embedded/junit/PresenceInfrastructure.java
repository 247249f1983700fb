package io.agentpresence.embedded.junit;

import io.agentpresence.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests real infrastructure: a {@link KafkaEndpoint} (one in-JVM KRaft broker for
 * the whole run) and a {@link TestDatabase} (a fresh database per test, on the server {@link DatabaseServer}
 * picks). Both servers are started on first use and stopped when the run ends.
 *
 * <pre>{@code
 * @ExtendWith(PresenceInfrastructure.class)
 * class SomethingIT {
 *     @Test void works(KafkaEndpoint kafka, TestDatabase db) { ... }
 * }
 * }</pre>
 */
public final class PresenceInfrastructure implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PresenceInfrastructure.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaEndpoint.class || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == KafkaEndpoint.class) {
            return kafka(context);
        }
        DatabaseServer server = root(context).getOrComputeIfAbsent("database-server",
                k -> start(DatabaseServer::pick), DatabaseServer.class);
        // stored in the test's own store, so it is dropped when that test (or class, for @BeforeAll) ends
        return context.getStore(NS).getOrComputeIfAbsent("database-" + parameter.getIndex(),
                k -> new OwnedDatabase(server, start(server::createDatabase)), OwnedDatabase.class).database();
    }

    /** The shared broker, for code that has an extension context but no parameter to resolve. */
    public static KafkaEndpoint kafka(ExtensionContext context) {
        return root(context).getOrComputeIfAbsent("kafka", k -> new SharedBroker(start(EmbeddedKafkaBroker::startTemporary)),
                SharedBroker.class);
    }

    private static ExtensionContext.Store root(ExtensionContext context) {
        return context.getRoot().getStore(NS);
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

    private record SharedBroker(EmbeddedKafkaBroker broker) implements KafkaEndpoint, AutoCloseable {
        @Override
        public String bootstrapServers() {
            return broker.bootstrapServers();
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    private record OwnedDatabase(DatabaseServer server, TestDatabase database) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.dropDatabase(database);
        }
    }
}
