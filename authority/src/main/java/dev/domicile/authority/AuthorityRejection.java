package dev.domicile.authority;

import java.util.Optional;

/**
 * A node under the authority root that a watcher refused to believe: malformed, foreign, for another partition, or
 * an epoch that went backwards. The last good authority stays in force.
 *
 * @param path         the znode
 * @param znodeVersion its data version, -1 if unknown (e.g. deleted)
 * @param problem      what is wrong with it
 * @param kept         the authority that stays in force, if any
 */
public record AuthorityRejection(String path, int znodeVersion, String problem, Optional<Authority> kept) {
}
