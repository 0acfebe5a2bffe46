package dev.domicile.authority;

/** A standby asked to take a partition over before it was allowed to; {@link #check()} says why. */
public final class TakeoverRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient TakeoverCheck check;

    TakeoverRefusedException(TakeoverCheck check) {
        super("takeover of partition " + check.partition() + " by " + check.standby() + " refused: "
                + check.reason());
        this.check = check;
    }

    /** The check that refused it. */
    public TakeoverCheck check() {
        return check;
    }
}
