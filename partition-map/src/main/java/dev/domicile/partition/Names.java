package dev.domicile.partition;

/** The naming rule shared by site and partition ids: they appear in ZooKeeper paths, metrics and logs. */
final class Names {

    static final int MAX_LENGTH = 63;

    private Names() {
    }

    static void check(String what, String value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        boolean ok = !value.isEmpty() && value.length() <= MAX_LENGTH && value.charAt(0) >= 'a'
                && value.charAt(0) <= 'z';
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }
        if (!ok) {
            throw new IllegalArgumentException(what + " '" + value + "' is invalid: use 1 to " + MAX_LENGTH
                    + " lower-case ASCII letters, digits and '-', starting with a letter");
        }
    }
}
