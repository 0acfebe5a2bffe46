package dev.domicile.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Topology;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The example of the module README, verbatim between the markers, so that it stays runnable. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() {
        PrintStream original = System.out;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        System.setOut(new PrintStream(output, true, StandardCharsets.UTF_8));
        try {
            example();
        } finally {
            System.setOut(original);
        }
        assertThat(output.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("{\"items\":3}", "Missing[reason=REVOKED]");
    }

    private static void example() {
        // README-BEGIN
        try (Topology topology = EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(0)
                .start()) {
            byte[] secret = new byte[32];                                  // the same secret in every site
            new SecureRandom().nextBytes(secret);
            SessionStoreConfig config = SessionStoreConfig.builder("eu-west", SessionKeyRing.of(secret))
                    .region(RegionConfig.single("eu-west", topology.redis("eu-west").uri()).build())
                    .region(RegionConfig.single("us-east", topology.redisUri("eu-west", "us-east")).build())
                    .build();
            try (RegionalSessionStore store = RegionalSessionStore.start(config)) {
                Session session = store.create();                          // anonymous, stored in eu-west only
                session = store.authenticate(session, "user-42", "eu-west"); // login: new id, old one dead
                session = store.save(session.edit()
                        .put("cart", "{\"items\":3}")
                        .causalToken("eu-west", "0/16B3748"));              // LSN of the user's last write
                String cookie = session.id().value();

                String printed = switch (store.load(cookie)) {             // the next request, in any site
                    case SessionLookup.Found found -> found.session().attribute("cart").orElseThrow();
                    case SessionLookup.Forward forward -> "forward to " + forward.site();
                    case SessionLookup.InvalidId invalid -> "forged or malformed: " + invalid.rejection();
                    case SessionLookup.Missing missing -> "no session: " + missing.reason();
                };
                System.out.println(printed);                               // {"items":3}
                store.revokeUser("user-42");                               // every session, every site
                System.out.println(store.load(cookie));                    // Missing[reason=REVOKED]
            }
        }
        // README-END
    }
}
