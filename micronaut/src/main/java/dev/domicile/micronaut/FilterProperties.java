package dev.domicile.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code domicile.filter.*}: how the request filter finds the user and what it does without one.
 *
 * @param userHeader  {@code user-header}: the header the default {@link UserKeyResolver} reads
 * @param missingUser {@code missing-user}: what happens to a request without a user key
 */
@ConfigurationProperties("domicile.filter")
record FilterProperties(@Bindable(defaultValue = DomicileHeaders.USER) String userHeader,
                        @Bindable(defaultValue = "REJECT") MissingUserKey missingUser) {
}
