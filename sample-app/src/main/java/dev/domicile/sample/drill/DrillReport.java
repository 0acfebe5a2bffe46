package dev.domicile.sample.drill;

import java.util.List;

/**
 * The outcome of a failover drill.
 *
 * @param victim                  the region cut off
 * @param standby                 the region that took its partition over
 * @param partition               the partition that moved
 * @param epochBefore             its epoch before the drill
 * @param epochAfterFailover      its epoch once the standby owned it
 * @param epochAfterSwitchBack    its epoch once the victim owned it again
 * @param ownerAfterFailover      who owned it after the failover (the standby, if it moved)
 * @param acceptedAtFencedSite    rows written at the old home's primary since the takeover was allowed, counted
 *                                there directly: the victim's writes while cut off and after healing, and the
 *                                stale-epoch write sent to it once fenced, had any been accepted
 * @param refusedByAdmission      the victim's writes its own admission refused while it was not authoritative
 * @param refusedByFence          writes the old primary's fence refused (the stale-epoch write, at least)
 * @param acceptedByStandby       writes the standby's writer got accepted on the promoted database
 * @param acceptedAfterSwitchBack writes the victim's writer got accepted once authority was back
 * @param serviceAccepted         notes of the victim's user the victim's service accepted (served there or by the
 *                                owner it forwarded them to), 0 without a service
 * @param serviceRefused          notes of that user refused with 503 while no site could be confirmed to own the
 *                                partition from the victim
 * @param steps                   the timeline
 */
public record DrillReport(String victim, String standby, String partition, long epochBefore,
                          long epochAfterFailover, long epochAfterSwitchBack, String ownerAfterFailover,
                          long acceptedAtFencedSite, long refusedByAdmission, long refusedByFence,
                          long acceptedByStandby, long acceptedAfterSwitchBack, long serviceAccepted,
                          long serviceRefused, List<Timeline.Step> steps) {

    public DrillReport {
        steps = List.copyOf(steps);
    }

    /** A summary for the console. */
    public String format() {
        return String.format("drill summary: %s moved from %s to %s (epoch %d -> %d) and back (epoch %d); writes"
                        + " accepted at the fenced site: %d; refused by %s's admission: %d, by the fence: %d;"
                        + " accepted by %s: %d, after the switch back: %d; the service's user: %d notes accepted,"
                        + " %d refused%n", partition, victim, ownerAfterFailover,
                epochBefore, epochAfterFailover, epochAfterSwitchBack, acceptedAtFencedSite, victim,
                refusedByAdmission, refusedByFence, standby, acceptedByStandby, acceptedAfterSwitchBack,
                serviceAccepted, serviceRefused);
    }
}
