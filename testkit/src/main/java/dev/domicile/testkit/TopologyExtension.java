package dev.domicile.testkit;

import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a topology before the first test of a class and closes it after the last, also when tests fail, when
 * registered on a static field; registered on an instance field, it gives every test a fresh topology.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TopologyExtension TOPOLOGY = new TopologyExtension(
 *         EmbeddedTopology.builder().site("eu-west").site("us-east"));
 *
 * @Test
 * void writesReachTheReplica(Topology topology) { ... }   // or TOPOLOGY.topology()
 * }</pre>
 *
 * <p>When the chosen provider needs a Docker engine and none runs, nothing is started and every test of the class
 * is skipped (aborted) with that reason instead of failing, so the skip shows in the test report.
 */
public final class TopologyExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback, ParameterResolver {

    private final TopologyBuilder builder;
    private volatile Topology topology;
    private volatile String skipReason;
    private volatile boolean perClass;

    /** Registers a topology to be started from {@code builder} for a test class. */
    public TopologyExtension(TopologyBuilder builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    /** The running topology. @throws IllegalStateException outside the test class's lifetime */
    public Topology topology() {
        Topology current = topology;
        if (current == null) {
            throw new IllegalStateException("the topology runs only between beforeAll and afterAll of its test class");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        startOrSkip();
    }

    private void startOrSkip() {
        TopologySpec spec = builder.build();
        if (spec.provider().needsDocker() && !ContainerTopology.dockerAvailable()) {
            skipReason = "provider " + spec.provider().key() + " (" + TopologyProvider.PROPERTY + ") needs a Docker"
                    + " engine and none is reachable on this machine";
            return;
        }
        topology = builder.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            startOrSkip();
        }
        String reason = skipReason;
        if (reason != null) {
            Assumptions.abort("skipped: " + reason);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            afterAll(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Topology current = topology;
        topology = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Topology.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return topology();
    }
}
