package dev.domicile.partition;

/**
 * The name of a site (a region or cluster), e.g. {@code eu-west}.
 *
 * @param value 1 to 63 characters: lower-case ASCII letters, digits and {@code -}, starting with a letter
 * @throws IllegalArgumentException if {@code value} breaks that rule
 */
public record SiteId(String value) {

    public SiteId {
        Names.check("site id", value);
    }

    /** Shorthand for {@code new SiteId(value)}. */
    public static SiteId of(String value) {
        return new SiteId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
