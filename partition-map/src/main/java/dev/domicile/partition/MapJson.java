package dev.domicile.partition;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The JSON form of map definitions and assignment shards. Reading names the offending field in every error.
 *
 * <pre>{@code
 * {"version": 3, "sites": ["eu-west", "us-east"],
 *  "partitions": [{"id": "eu", "home": "eu-west", "failover": ["us-east"], "weight": 1}],
 *  "rules": [{"attribute": "country", "values": ["DE"], "partition": "eu"}, {"prefix": "acme:", "partition": "eu"}],
 *  "assignments": {"alice": "eu"}}
 * }</pre>
 * A shard is {@code {"eu": ["alice", "bob"], "us": ["carol"]}}.
 */
final class MapJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MapJson() {
    }

    static ObjectNode write(PartitionMapDefinition d) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", d.version());
        ArrayNode sites = root.putArray("sites");
        d.sites().forEach(s -> sites.add(s.value()));
        ArrayNode partitions = root.putArray("partitions");
        for (Partition p : d.partitions()) {
            ObjectNode n = partitions.addObject().put("id", p.id().value()).put("home", p.home().value());
            ArrayNode failover = n.putArray("failover");
            p.failover().forEach(f -> failover.add(f.value()));
            n.put("weight", p.weight());
        }
        ArrayNode rules = root.putArray("rules");
        for (Rule rule : d.rules()) {
            ObjectNode n = rules.addObject();
            switch (rule) {
                case Rule.Attribute a -> {
                    n.put("attribute", a.attribute());
                    ArrayNode values = n.putArray("values");
                    a.values().stream().sorted().forEach(values::add);
                }
                case Rule.Prefix p -> n.put("prefix", p.prefix());
            }
            n.put("partition", rule.partition().value());
        }
        if (!d.assignments().isEmpty()) {
            ObjectNode assignments = root.putObject("assignments");
            new TreeMap<>(d.assignments()).forEach((k, v) -> assignments.put(k, v.value()));
        }
        return root;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    static JsonNode tree(byte[] bytes, String source) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new InvalidPartitionMapException(source + ": the document is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new InvalidPartitionMapException(source + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    static PartitionMapDefinition read(JsonNode root, String source) {
        try {
            List<SiteId> sites = new ArrayList<>();
            for (JsonNode s : array(root, "sites")) {
                sites.add(SiteId.of(text(s, "sites[]")));
            }
            List<Partition> partitions = new ArrayList<>();
            for (JsonNode p : array(root, "partitions")) {
                List<SiteId> failover = new ArrayList<>();
                for (JsonNode f : array(p, "failover")) {
                    failover.add(SiteId.of(text(f, "failover[]")));
                }
                JsonNode weight = p.path("weight");
                partitions.add(new Partition(PartitionId.of(text(p.path("id"), "partitions[].id")),
                        SiteId.of(text(p.path("home"), "partitions[].home")), failover,
                        weight.isMissingNode() ? 1 : integer(weight, "partitions[].weight")));
            }
            List<Rule> rules = new ArrayList<>();
            for (JsonNode r : array(root, "rules")) {
                rules.add(rule(r));
            }
            Map<String, PartitionId> assignments = new LinkedHashMap<>();
            JsonNode a = root.path("assignments");
            if (!a.isMissingNode()) {
                if (!a.isObject()) {
                    throw new InvalidPartitionMapException("field 'assignments' must be an object");
                }
                a.properties().forEach(e -> assignments.put(e.getKey(),
                        PartitionId.of(text(e.getValue(), "assignments." + e.getKey()))));
            }
            JsonNode version = root.path("version");
            if (!version.canConvertToLong()) {
                throw new InvalidPartitionMapException("field 'version' must be an integer, was " + version);
            }
            return new PartitionMapDefinition(version.asLong(), sites, partitions, rules, assignments);
        } catch (IllegalArgumentException e) {
            throw new InvalidPartitionMapException(source + ": " + e.getMessage(), e);
        }
    }

    private static Rule rule(JsonNode r) {
        PartitionId partition = PartitionId.of(text(r.path("partition"), "rules[].partition"));
        boolean attribute = r.has("attribute");
        if (attribute == r.has("prefix")) {
            throw new InvalidPartitionMapException("each rule needs exactly one of 'attribute' or 'prefix': " + r);
        }
        if (!attribute) {
            return new Rule.Prefix(text(r.path("prefix"), "rules[].prefix"), partition);
        }
        Set<String> values = new LinkedHashSet<>();
        for (JsonNode v : array(r, "values")) {
            values.add(text(v, "rules[].values[]"));
        }
        return new Rule.Attribute(text(r.path("attribute"), "rules[].attribute"), values, partition);
    }

    private static Iterable<JsonNode> array(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidPartitionMapException("field '" + field + "' must be an array, was " + node);
        }
        return node;
    }

    private static String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new InvalidPartitionMapException("field '" + field + "' must be a string, was " + node);
        }
        return node.asText();
    }

    private static int integer(JsonNode node, String field) {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new InvalidPartitionMapException("field '" + field + "' must be an integer, was " + node);
        }
        return node.asInt();
    }

    /** Serialises one shard of assignments, grouped by partition. */
    static byte[] writeShard(Map<String, PartitionId> shard) {
        Map<String, List<String>> byPartition = new TreeMap<>();
        shard.forEach((key, partition) -> byPartition.computeIfAbsent(partition.value(), p -> new ArrayList<>())
                .add(key));
        try {
            return MAPPER.writeValueAsBytes(byPartition);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a shard", e);
        }
    }

    /**
     * Streams one shard's assignments to {@code sink} as (user key, partition id).
     *
     * @throws InvalidPartitionMapException if the shard is not of the form {@code {"partition": ["key", ...]}}
     */
    static void readShard(byte[] bytes, String source, BiConsumer<String, String> sink) {
        try (JsonParser parser = MAPPER.getFactory().createParser(bytes)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, source);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String partition = parser.currentName();
                expect(parser.nextToken(), JsonToken.START_ARRAY, source);
                JsonToken token;
                while ((token = parser.nextToken()) == JsonToken.VALUE_STRING) {
                    sink.accept(parser.getText(), partition);
                }
                expect(token, JsonToken.END_ARRAY, source);
            }
            expect(parser.currentToken(), JsonToken.END_OBJECT, source);
        } catch (IOException e) {
            throw new InvalidPartitionMapException(source + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String source) {
        if (actual != expected) {
            throw new InvalidPartitionMapException(source + ": expected " + expected + " but found " + actual
                    + " (a shard is {\"partition\": [\"user key\", ...]})");
        }
    }
}
