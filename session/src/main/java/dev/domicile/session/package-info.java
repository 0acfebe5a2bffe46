/**
 * Regional sessions: each session lives only in the Redis of its home site, carries the user's home and the router's
 * causal tokens, and is named by an id that says where it lives and cannot be forged.
 *
 * <p>Start with {@link dev.domicile.session.RegionalSessionStore#start(SessionStoreConfig)}. Everything public is in
 * this package; the other classes of the package are implementation.
 */
package dev.domicile.session;
