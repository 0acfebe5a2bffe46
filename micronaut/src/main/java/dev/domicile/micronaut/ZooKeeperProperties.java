package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code domicile.zookeeper.*}: the ZooKeeper ensemble that holds write authority, as written in the configuration;
 * checked into an {@link AuthoritySettings} by {@link AuthorityValidation}. Authority is on only when
 * {@code connect-string} is set.
 *
 * @param connectString     {@code connect-string}: {@code host:port[,host:port...]} as reached from this site
 * @param sessionTimeout    {@code session-timeout}: the ZooKeeper session timeout asked for
 * @param connectionTimeout {@code connection-timeout}: the ZooKeeper connection timeout; shorter than the session's
 * @param rootPath          {@code root-path}: the znode under which authority documents and leases live
 * @param auth              {@code auth}: digest credentials {@code user:password}; the default ACL (full rights for
 *                          the authenticated creator, read for the world) needs them
 * @param safetyMargin      {@code safety-margin}: how long a standby waits after the owner's lease disappeared
 * @param routerId          {@code router-id}: this process's name in the lease nodes it holds; default random
 * @param initialize        {@code initialize}: create missing authority documents (epoch 1, owner the home site)
 */
@ConfigurationProperties("domicile.zookeeper")
record ZooKeeperProperties(@Nullable String connectString,
                           @Bindable(defaultValue = "6s") Duration sessionTimeout,
                           @Bindable(defaultValue = "3s") Duration connectionTimeout,
                           @Bindable(defaultValue = "/domicile/authority") String rootPath,
                           @Nullable String auth,
                           @Bindable(defaultValue = "2s") Duration safetyMargin,
                           @Nullable String routerId,
                           @Bindable(defaultValue = "false") boolean initialize) {

    @Override
    public String toString() {
        return "ZooKeeperProperties[connectString=" + connectString + ", sessionTimeout=" + sessionTimeout
                + ", connectionTimeout=" + connectionTimeout + ", rootPath=" + rootPath + ", auth="
                + (auth == null ? "(not set)" : "(hidden)") + ", safetyMargin=" + safetyMargin + ", routerId="
                + routerId + ", initialize=" + initialize + "]";
    }
}
