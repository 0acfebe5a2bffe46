package dev.domicile.partition;

/**
 * A map document a store refused to put in force.
 *
 * @param source          where the document came from, e.g. a ZooKeeper path or a file
 * @param documentVersion the version of the bad document in its store (the znode data version for ZooKeeper)
 * @param problem         what is wrong with it
 * @param mapInForce      the version of the map that stays in force, or 0 if none was loaded yet
 */
public record Rejection(String source, long documentVersion, String problem, long mapInForce) {
}
