package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The authority document is read strictly: anything but our own format for this partition is refused. */
class AuthorityDocumentTest {

    private static final PartitionId P = PartitionId.of("eu-west");
    private static final Set<SiteId> SITES = Set.of(SiteId.of("eu-west"), SiteId.of("us-east"));

    private static Authority read(String json) {
        return AuthorityDocument.read(json.getBytes(StandardCharsets.UTF_8), P, SITES);
    }

    @Test
    void roundTrips() {
        Authority a = new Authority(P, SiteId.of("us-east"), 7, Instant.parse("2026-01-02T03:04:05Z"), "takeover");
        assertThat(AuthorityDocument.read(AuthorityDocument.write(a), P, SITES)).isEqualTo(a);
    }

    @Test
    void refusesForeignMalformedAndMisplacedDocuments() {
        assertThatThrownBy(() -> read("not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> read("{\"format\":\"other/1\"}")).hasMessageContaining("foreign document");
        assertThatThrownBy(() -> read(doc("us-east", "eu-west", "3"))).hasMessageContaining("names partition us-east");
        assertThatThrownBy(() -> read(doc("eu-west", "ap-south", "3"))).hasMessageContaining("not a known site");
        assertThatThrownBy(() -> read(doc("eu-west", "eu-west", "0"))).hasMessageContaining("epoch must be");
        assertThatThrownBy(() -> read(doc("eu-west", "eu-west", "1.5"))).hasMessageContaining("epoch must be");
        assertThatThrownBy(() -> read(doc("eu-west", "eu-west", "\"2\""))).hasMessageContaining("epoch must be");
    }

    @Test
    void readsPhasesAndTakesADocumentWithoutOneAsActive() {
        Authority old = read(doc("eu-west", "us-east", "4"));
        assertThat(old.phase()).as("written before phases existed").isEqualTo(Authority.Phase.ACTIVE);
        assertThat(old.admitsWrites()).isTrue();
        Authority fencing = read(doc("eu-west", "us-east", "4", "\"FENCING\""));
        assertThat(fencing.phase()).isEqualTo(Authority.Phase.FENCING);
        assertThat(fencing.admitsWrites()).isFalse();
        assertThat(AuthorityDocument.read(AuthorityDocument.write(fencing), P, SITES)).isEqualTo(fencing);
        assertThat(read(doc("eu-west", "us-east", "4", "\"ACTIVE\""))).isEqualTo(old);
        assertThatThrownBy(() -> read(doc("eu-west", "us-east", "4", "\"fencing\"")))
                .hasMessageContaining("phase must be");
        assertThatThrownBy(() -> read(doc("eu-west", "us-east", "4", "1"))).hasMessageContaining("phase must be");
        assertThatThrownBy(() -> read(doc("eu-west", "us-east", "4", "null"))).hasMessageContaining("phase must be");
        assertThatThrownBy(() -> read(doc("eu-west", "us-east", "4", "\"FENCING\"").replace("}",
                ",\"movingTo\":\"eu-west\"}"))).hasMessageContaining("FENCING authority cannot be movingTo");
    }

    /** A document with {@code "phase": <phase>} (raw JSON), as this version writes them. */
    static String doc(String partition, String owner, String epoch, String phase) {
        String plain = doc(partition, owner, epoch);
        return plain.substring(0, plain.length() - 1) + ",\"phase\":" + phase + "}";
    }

    static String doc(String partition, String owner, String epoch) {
        return "{\"format\":\"domicile-authority/1\",\"partition\":\"" + partition + "\",\"owner\":\"" + owner
                + "\",\"epoch\":" + epoch + ",\"since\":\"2026-01-01T00:00:00Z\",\"reason\":\"test\"}";
    }
}
