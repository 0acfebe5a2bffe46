package dev.domicile.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code domicile.enabled: false} switches the module off: a context without any domicile configuration starts. */
class DisabledTest {

    @Test
    void aDisabledModuleReadsNoConfigurationAndMakesNoBean() {
        try (ApplicationContext context = ApplicationContext.run(Map.of("domicile.enabled", false))) {
            assertThat(context.findBean(DomicileConfig.class)).isEmpty();
            assertThat(context.findBean(javax.sql.DataSource.class)).isEmpty();
            assertThat(context.findBean(ForwardingFilter.class)).isEmpty();
        }
    }
}
