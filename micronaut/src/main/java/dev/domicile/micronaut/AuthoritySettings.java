package dev.domicile.micronaut;

import dev.domicile.authority.AuthorityConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated {@code domicile.zookeeper.*} configuration, made once at start-up by {@link AuthorityValidation}.
 *
 * @param connectString the ensemble as reached from this site
 * @param authority     the authority configuration of this process: its site, every site, failover orders, timeouts
 * @param digest        the digest credentials {@code user:password}, if set
 * @param initialize    whether missing authority documents are created at start-up
 */
record AuthoritySettings(String connectString, AuthorityConfig authority, Optional<String> digest,
                         boolean initialize) {

    AuthoritySettings {
        Objects.requireNonNull(connectString, "connectString");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(digest, "digest");
    }

    @Override
    public String toString() {
        return "AuthoritySettings[connectString=" + connectString + ", authority=" + authority + ", digest="
                + digest.map(d -> "(hidden)").orElse("(not set)") + ", initialize=" + initialize + "]";
    }
}
