package dev.domicile.micronaut;

import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import io.micronaut.core.propagation.ThreadPropagatedContextElement;

/**
 * Carries a request's {@link RoutingContext} in Micronaut's propagated context, so it is bound ({@link Routing#bind})
 * on whatever thread runs the request's code (the event loop, an {@code @ExecuteOn} executor, a virtual thread) and
 * unbound when that code leaves the thread. Micronaut calls {@link #updateThreadContext()} and
 * {@link #restoreThreadContext} in pairs on the same thread.
 *
 * @param context the request's routing context
 */
record RoutingContextElement(RoutingContext context) implements ThreadPropagatedContextElement<Routing.Binding> {

    @Override
    public Routing.Binding updateThreadContext() {
        return Routing.bind(context);
    }

    @Override
    public void restoreThreadContext(Routing.Binding binding) {
        binding.close();
    }
}
