package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.router.Intent;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.http.HttpMethod;
import io.micronaut.inject.annotation.MutableAnnotationMetadata;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Intent from the HTTP method unless {@link ReadOnly}; consistency from {@link Consistency}. */
class RouteDeclarationsTest {

    private final RouteDeclarations declarations = new RouteDeclarations(ConversionService.SHARED);

    private static AnnotationMetadata consistency(String level, String maxStaleness) {
        MutableAnnotationMetadata metadata = new MutableAnnotationMetadata();
        metadata.addDeclaredAnnotation(Consistency.class.getName(),
                Map.of("level", level, "maxStaleness", maxStaleness));
        return metadata;
    }

    @Test
    void safeMethodsReadAndTheOthersWrite() {
        for (HttpMethod method : HttpMethod.values()) {
            Intent expected = switch (method) {
                case GET, HEAD, OPTIONS -> Intent.READ;
                default -> Intent.WRITE;
            };
            assertThat(RouteDeclarations.intent(method, AnnotationMetadata.EMPTY_METADATA)).as(method.name())
                    .isEqualTo(expected);
        }
        MutableAnnotationMetadata readOnly = new MutableAnnotationMetadata();
        readOnly.addDeclaredAnnotation(ReadOnly.class.getName(), Map.of());
        assertThat(RouteDeclarations.intent(HttpMethod.POST, readOnly)).isEqualTo(Intent.READ);
    }

    @Test
    void aDeclaredConsistencyIsParsed() {
        assertThat(declarations.consistency(AnnotationMetadata.EMPTY_METADATA, "route")).isEmpty();
        assertThat(declarations.consistency(consistency("ANY", ""), "route"))
                .contains(dev.domicile.router.Consistency.ANY);
        assertThat(declarations.consistency(consistency("BOUNDED_STALENESS", "1500ms"), "route"))
                .contains(dev.domicile.router.Consistency.boundedStaleness(Duration.ofMillis(1500)));
    }

    @Test
    void aMalformedConsistencyNamesTheRoute() {
        assertThatThrownBy(() -> declarations.consistency(consistency("BOUNDED_STALENESS", ""), "GET /feed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("@Consistency on GET /feed is malformed: bounded staleness needs a positive");
        assertThatThrownBy(() -> declarations.consistency(consistency("BOUNDED_STALENESS", "soon"), "GET /feed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxStaleness 'soon' is not a duration");
        assertThatThrownBy(() -> declarations.consistency(consistency("STRONG", "2s"), "GET /feed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only BOUNDED_STALENESS takes a maximum staleness");
    }
}
