package dev.domicile.micronaut;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityConfigBuilder;
import dev.domicile.partition.Partition;
import dev.domicile.partition.SiteId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code domicile.zookeeper.*} into {@link AuthoritySettings}: the authority configuration of this process
 * (its site and every declared site, each partition's failover order: its home site, then
 * {@code domicile.partitions.<id>.failover}). A broken rule fails with a {@link DomicileConfigurationException} naming
 * the {@code domicile.*} key, the value (never a password's) and the rule, including the rules the authority module
 * itself checks.
 */
final class AuthorityValidation {

    private static final Pattern AUTHORITY_KEY = Pattern.compile("authority configuration key '([^']+)'");
    private static final Map<String, String> KEYS = Map.of("rootPath", "root-path", "routerId", "router-id",
            "sessionTimeout", "session-timeout", "connectionTimeout", "connection-timeout",
            "contactTimeout", "session-timeout", "safetyMargin", "safety-margin");

    private AuthorityValidation() {
    }

    /** The settings, or empty if {@code connect-string} is not set (authority off). */
    static Optional<AuthoritySettings> validate(ZooKeeperProperties properties, DomicileConfig config) {
        String connectString = properties.connectString();
        if (connectString == null) {
            return Optional.empty();
        }
        if (connectString.isBlank() || connectString.chars().anyMatch(Character::isWhitespace)) {
            throw new DomicileConfigurationException("domicile.zookeeper.connect-string", connectString,
                    "host:port[,host:port...] without spaces");
        }
        Optional<String> digest = Optional.ofNullable(properties.auth());
        digest.ifPresent(AuthorityValidation::checkDigest);
        positive("domicile.zookeeper.session-timeout", properties.sessionTimeout());
        positive("domicile.zookeeper.connection-timeout", properties.connectionTimeout());
        AuthorityConfigBuilder builder = AuthorityConfig.builder()
                .localSite(config.localSite().value())
                .sites(config.sites().stream().map(s -> s.id().value()).toArray(String[]::new))
                .rootPath(properties.rootPath())
                .sessionTimeout(properties.sessionTimeout())
                .connectionTimeout(properties.connectionTimeout())
                .safetyMargin(properties.safetyMargin());
        if (properties.routerId() != null) {
            builder.routerId(properties.routerId());
        }
        for (Partition partition : config.mapDefinition().partitions()) {
            List<String> order = new ArrayList<>();
            order.add(partition.home().value());
            partition.failover().stream().map(SiteId::value).forEach(order::add);
            builder.failoverOrder(partition.id().value(), order.toArray(String[]::new));
        }
        try {
            return Optional.of(new AuthoritySettings(connectString, builder.build(), digest,
                    properties.initialize()));
        } catch (IllegalArgumentException e) {
            throw translated(e, properties);
        }
    }

    private static void checkDigest(String auth) {
        int colon = auth.indexOf(':');
        if (colon <= 0 || colon == auth.length() - 1) {
            throw new DomicileConfigurationException("domicile.zookeeper.auth", "(hidden, " + auth.length()
                    + " characters)", "digest credentials user:password, both parts non-empty");
        }
    }

    private static void positive(String key, java.time.Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new DomicileConfigurationException(key, value, "must be positive");
        }
    }

    /** The authority module's complaint, reported under the {@code domicile.*} key it comes from. */
    private static DomicileConfigurationException translated(IllegalArgumentException e, ZooKeeperProperties p) {
        Matcher matcher = AUTHORITY_KEY.matcher(String.valueOf(e.getMessage()));
        String key = matcher.find() ? matcher.group(1) : "";
        String ours = KEYS.get(key);
        if (ours != null) {
            Object value = switch (ours) {
                case "root-path" -> p.rootPath();
                case "router-id" -> p.routerId();
                case "connection-timeout" -> p.connectionTimeout();
                case "safety-margin" -> p.safetyMargin();
                default -> p.sessionTimeout();
            };
            return new DomicileConfigurationException("domicile.zookeeper." + ours, value, e.getMessage());
        }
        if (key.startsWith("failoverOrder.")) {
            String partition = key.substring("failoverOrder.".length());
            return new DomicileConfigurationException("domicile.partitions." + partition + ".failover", "(home and "
                    + "failover sites)", e.getMessage());
        }
        return new DomicileConfigurationException("domicile.zookeeper", "(all)", e.getMessage());
    }
}
