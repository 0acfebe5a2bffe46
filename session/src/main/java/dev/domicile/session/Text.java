package dev.domicile.session;

/** Allocation-free string checks for the save path, which runs them on every attribute of every save. */
final class Text {

    private Text() {
    }

    /** Whether {@code value} contains an ISO control character. */
    static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The length of {@code value} in UTF-8, as {@code value.getBytes(UTF_8).length} counts it (an unpaired surrogate
     * is encoded as one replacement byte).
     */
    static int utf8Length(String value) {
        int bytes = 0;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
