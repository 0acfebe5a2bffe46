package dev.domicile.authority;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of an {@link Authority} in its znode: {@code {"format":"domicile-authority/1","partition":…,
 * "owner":…,"epoch":…,"since":"…Z","reason":…}}, and optionally {@code "movingTo":"<site>"} (a switchover in
 * progress), {@code "timelineStart":{"database":…,"lsn":"0/3000158","timeline":2}} (where the promoted database's
 * history began) and {@code "phase":"FENCING"|"ACTIVE"} ({@link Authority.Phase}; a document without it, written
 * before phases existed, is ACTIVE). Parsing is strict: anything else is refused with a reason. Readers that predate
 * the optional fields ignore them — so a router of a version before phases would admit writes of a FENCING epoch:
 * upgrade every router before relying on the phase.
 */
final class AuthorityDocument {

    static final String FORMAT = "domicile-authority/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuthorityDocument() {
    }

    static byte[] write(Authority authority) {
        ObjectNode node = JSON.createObjectNode()
                .put("format", FORMAT)
                .put("partition", authority.partition().value())
                .put("owner", authority.owner().value())
                .put("epoch", authority.epoch())
                .put("since", authority.since().toString())
                .put("reason", authority.reason())
                .put("phase", authority.phase().name());
        authority.movingTo().ifPresent(target -> node.put("movingTo", target.value()));
        authority.timelineStart().ifPresent(start -> node.putObject("timelineStart")
                .put("database", start.database()).put("lsn", start.lsnText()).put("timeline", start.timeline()));
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + authority, e);
        }
    }

    /**
     * Parses the document of {@code partition}'s znode.
     *
     * @throws IllegalArgumentException saying what is wrong: not JSON, a foreign format, another partition, an
     *                                  unknown owner site, a bad epoch, time or phase
     */
    static Authority read(byte[] bytes, PartitionId partition, Set<SiteId> knownSites) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes == null ? new byte[0] : bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + preview(bytes));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + preview(bytes));
        }
        String format = node.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("foreign document: format is " + format + ", expected " + FORMAT);
        }
        String named = text(node, "partition");
        if (!partition.value().equals(named)) {
            throw new IllegalArgumentException("document names partition " + named + " but lives at " + partition);
        }
        SiteId owner;
        try {
            owner = SiteId.of(text(node, "owner"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad owner: " + e.getMessage());
        }
        if (!knownSites.contains(owner)) {
            throw new IllegalArgumentException("owner " + owner + " is not a known site " + knownSites);
        }
        JsonNode epoch = node.get("epoch");
        if (epoch == null || !epoch.canConvertToLong() || !epoch.isIntegralNumber() || epoch.asLong() < 1) {
            throw new IllegalArgumentException("epoch must be an integer >= 1, was " + epoch);
        }
        Instant since;
        try {
            since = Instant.parse(text(node, "since"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("since is not an ISO-8601 instant: " + node.get("since"));
        }
        Authority.Phase phase = phase(node.get("phase"));
        Optional<SiteId> movingTo = movingTo(node, owner, knownSites);
        if (phase == Authority.Phase.FENCING && movingTo.isPresent()) {
            throw new IllegalArgumentException("a FENCING authority cannot be movingTo " + movingTo.get());
        }
        return new Authority(partition, owner, epoch.asLong(), since, text(node, "reason"), movingTo,
                timelineStart(node.get("timelineStart")), phase);
    }

    /** The phase; ACTIVE if the document predates phases (has none). */
    private static Authority.Phase phase(JsonNode phase) {
        if (phase == null) {
            return Authority.Phase.ACTIVE;
        }
        for (Authority.Phase known : Authority.Phase.values()) {
            if (phase.isTextual() && known.name().equals(phase.asText())) {
                return known;
            }
        }
        throw new IllegalArgumentException("phase must be \"FENCING\" or \"ACTIVE\", was " + phase);
    }

    private static Optional<SiteId> movingTo(JsonNode node, SiteId owner, Set<SiteId> knownSites) {
        if (!node.has("movingTo")) {
            return Optional.empty();
        }
        SiteId target;
        try {
            target = SiteId.of(text(node, "movingTo"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad movingTo: " + e.getMessage());
        }
        if (!knownSites.contains(target) || target.equals(owner)) {
            throw new IllegalArgumentException("movingTo " + target + " is not a known site other than the owner");
        }
        return Optional.of(target);
    }

    private static Optional<TimelineStart> timelineStart(JsonNode start) {
        if (start == null) {
            return Optional.empty();
        }
        JsonNode timeline = start.get("timeline");
        if (!start.isObject() || timeline == null || !timeline.isIntegralNumber() || timeline.asLong() < 1) {
            throw new IllegalArgumentException("timelineStart must be {database, lsn, timeline >= 1}, was " + start);
        }
        try {
            return Optional.of(new TimelineStart(text(start, "database"), Wal.parse(text(start, "lsn")),
                    timeline.asLong()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("timelineStart.lsn is not an LSN: " + start.get("lsn"));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, was " + value);
        }
        return value.asText();
    }

    private static String preview(byte[] bytes) {
        if (bytes == null) {
            return "(no data)";
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
