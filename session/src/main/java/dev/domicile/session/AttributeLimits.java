package dev.domicile.session;

/**
 * Bounds on what a session may hold, so that one session can never grow without limit in Redis. Attribute values are
 * strings (callers encode richer values themselves, e.g. as JSON), counted in UTF-8 bytes.
 *
 * @param maxAttributes  most attributes per session
 * @param maxNameLength  longest attribute name, in characters
 * @param maxValueBytes  largest attribute value, in UTF-8 bytes
 * @param maxTotalBytes  largest sum of all names and values, in UTF-8 bytes
 */
public record AttributeLimits(int maxAttributes, int maxNameLength, int maxValueBytes, int maxTotalBytes) {

    /** 64 attributes, names of 128 characters, values of 16 KiB, 64 KiB in all. */
    public static final AttributeLimits DEFAULT = new AttributeLimits(64, 128, 16 * 1024, 64 * 1024);

    /** @throws IllegalArgumentException naming the limit, its value and the rule when a limit is not positive */
    public AttributeLimits {
        positive("max-attributes", maxAttributes);
        positive("max-name-length", maxNameLength);
        positive("max-value-bytes", maxValueBytes);
        positive("max-total-bytes", maxTotalBytes);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("domicile.session.attributes." + key + " = " + value
                    + ": must be positive");
        }
    }
}
