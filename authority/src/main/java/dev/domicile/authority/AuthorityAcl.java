package dev.domicile.authority;

import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.ACL;

/**
 * The default ACL of authority znodes: every right for the authenticated identities of the creating client
 * ({@code auth} scheme, e.g. a shared {@code digest} credential of the routers) and read for everyone, so that
 * nobody without the credential can change who may write. Clients need credentials to create nodes under it.
 */
final class AuthorityAcl implements ACLProvider {

    /** ZooKeeper's permission bits (ZooDefs.Perms), spelled out to keep its unresolvable annotations away. */
    static final int READ = 1;
    static final int ALL = 31;
    /** {@code world:anyone}. */
    static final Id WORLD = new Id("world", "anyone");

    private static final List<ACL> ACL = List.of(new ACL(ALL, new Id("auth", "")), new ACL(READ, WORLD));

    @Override
    public List<ACL> getDefaultAcl() {
        return ACL;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return ACL;
    }

    @Override
    public String toString() {
        return "auth:ALL, world:READ";
    }
}
