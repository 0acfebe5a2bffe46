package dev.domicile.session;

import java.util.Objects;

/** The outcome of checking a presented session id, without Redis. */
public sealed interface IdVerification {

    /** The id is genuine: it was issued by this deployment for {@code id.site()}. */
    record Valid(SessionId id) implements IdVerification {
        public Valid {
            Objects.requireNonNull(id, "id");
        }
    }

    /** The id is refused; treat the request as carrying no session. */
    record Rejected(IdRejection reason) implements IdVerification {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
