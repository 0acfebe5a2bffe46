package dev.domicile.router;

/** PostgreSQL's text form of WAL positions ({@code 16/B374D848}) and back. */
final class Lsns {

    private Lsns() {
    }

    static long parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            if (i != slash && Character.digit(text.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'");
            }
        }
        try {
            return Long.parseLong(text, 0, slash, 16) << 32 | Long.parseLong(text, slash + 1, text.length(), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex): '" + text + "'", e);
        }
    }

    static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }
}
