/**
 * Domicile for Micronaut: binds the {@code domicile.*} configuration, exposes the routing
 * {@link dev.domicile.router.RoutingDataSource} as the application's {@link javax.sql.DataSource}, binds each request's
 * routing context in a server filter (user key from a {@link dev.domicile.micronaut.UserKeyResolver}, intent from the
 * HTTP method or {@link dev.domicile.micronaut.ReadOnly}, consistency from
 * {@link dev.domicile.micronaut.Consistency}, causal tokens from {@value dev.domicile.micronaut.DomicileHeaders#TOKENS}),
 * reports what the site can serve in {@code /health} and its routing state in the {@code /domicile} endpoint. Requests
 * that must run at the user's home site are forwarded (signed), redirected or rejected per
 * {@link dev.domicile.micronaut.ForwardingPolicy} (over mutual TLS if configured; an edge-only site forwards every
 * request with a user and may have no database, its {@code DataSource} then refusing every connection with
 * {@link dev.domicile.micronaut.EdgeOnlyException}); with {@code domicile.session.secret} set, Micronaut's
 * {@code Session} is stored in the regional session store and carries the router's causal tokens.
 *
 * <p>Everything but the annotations, {@link dev.domicile.micronaut.UserKeyResolver},
 * {@link dev.domicile.micronaut.DomicileConfig}, {@link dev.domicile.micronaut.DomicileHeaders},
 * {@link dev.domicile.micronaut.MissingUserKey}, {@link dev.domicile.micronaut.ForwardingPolicy} and
 * {@link dev.domicile.micronaut.DomicileConfigurationException} and {@link dev.domicile.micronaut.EdgeOnlyException} is
 * package-private.
 *
 * <p>Every bean of this package requires {@code domicile.enabled} not to be {@code false}: set it to switch Domicile
 * off entirely (no configuration is read, no filter runs), e.g. in a test or a benchmark baseline.
 */
@Configuration
@Requires(property = "domicile.enabled", notEquals = "false")
package dev.domicile.micronaut;

import io.micronaut.context.annotation.Configuration;
import io.micronaut.context.annotation.Requires;
