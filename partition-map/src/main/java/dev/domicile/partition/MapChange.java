package dev.domicile.partition;

import java.util.List;
import java.util.Objects;

/** One change to a partition map. Applying an accepted change bumps the map version by one. */
public sealed interface MapChange {

    /** Assigns a user explicitly to a partition, or moves an assigned user to another. */
    record AssignUser(String userKey, PartitionId partition) implements MapChange {
        /** @throws InvalidUserKeyException for an invalid key */
        public AssignUser {
            UserKeys.validate(userKey);
            Objects.requireNonNull(partition, "partition");
        }
    }

    /** Replaces every rule, in order. */
    record ReplaceRules(List<Rule> rules) implements MapChange {
        public ReplaceRules {
            rules = List.copyOf(rules);
        }
    }

    /** Adds a partition; its home and failover sites must already be in the map. */
    record AddPartition(Partition partition) implements MapChange {
        public AddPartition {
            Objects.requireNonNull(partition, "partition");
        }
    }

    /** Adds a site. */
    record AddSite(SiteId site) implements MapChange {
        public AddSite {
            Objects.requireNonNull(site, "site");
        }
    }
}
