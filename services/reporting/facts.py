"""What each event counts for: the facts it adds. No I/O here.

A fact has a metric, a municipality, the month of the event, what it is about (`subject`: a household, a
volunteer, an employer) for distinct counts, a dimension for breakdowns, and a value for sums.
"""

from collections.abc import Callable
from dataclasses import dataclass

from plumbing.events import CloudEvent
from services.reporting import subscriptions as seen

METRICS = {
    "signals_raised": "Signalen ontvangen",
    "cases_opened": "Casussen gestart",
    "households_reached": "Huishoudens bereikt",
    "households_reached_in_term": "Huishoudens bereikt binnen de termijn",
    "help_requests": "Hulpvragen van bewoners zelf (Hulp vragen)",
    "cases_closed": "Casussen afgesloten",
    "households_matched": "Huishoudens gekoppeld aan hulpaanbod",
    "referrals_accepted": "Verwijzingen geaccepteerd",
    "referrals_completed": "Verwijzingen afgerond",
    "doorbraak_enrolled": "Huishoudens in de Doorbraakmethode",
    "doorbraak_steps_completed": "Planstappen Doorbraak gezet",
    "doorbraak_exited": "Huishoudens uit de Doorbraakmethode",
    "volunteers_registered": "Vrijwilligers actief in het register",
    "volunteers_left": "Vrijwilligers gestopt",
    "volunteers_via_employers": "Vrijwilligers geworven via werkgevers",
    "volunteers_assigned": "Koppelingen van vrijwilligers",
    "volunteers_active": "Vrijwilligers aan het werk",
    "employers_recruiting": "Werkgevers die vrijwilligers werven",
    "employers_desk": "Werkgevers die het werkgeversloket gebruiken",
    "lessons_given": "Gastlessen gegeven",
    "students_reached": "Studenten bereikt",
    "evictions_prevented": "Huisuitzettingen voorkomen",
    "evictions_executed": "Huisuitzettingen uitgevoerd",
    "members_joined": "Lidorganisaties aangesloten",
    "members_left": "Lidorganisaties vertrokken",
}

# The figure of these metrics is how many distinct subjects they counted over the period shown (a household reached
# twice, or a volunteer active in three months, is one); of the others, how many events (or, for students, the sum).
DISTINCT_METRICS = frozenset(
    {
        "households_reached",
        "households_reached_in_term",
        "households_matched",
        "doorbraak_enrolled",
        "doorbraak_exited",
        "volunteers_registered",
        "volunteers_left",
        "volunteers_via_employers",
        "volunteers_active",
        "employers_recruiting",
        "employers_desk",
        "members_joined",
        "members_left",
    }
)


@dataclass(frozen=True)
class Fact:
    metric: str
    municipality: str
    subject: str
    dimension: str = ""
    value: int = 1
    month: str = ""  # YYYY-MM when the fact belongs to another month than its event's (an eviction's own day)


def _signal(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.SignalRaised)
    return [Fact("signals_raised", data.municipality, data.household_ref, data.creditor_type)]


def _opened(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.CaseOpened)
    return [Fact("cases_opened", data.municipality, data.household_ref)]


# How a household was reached (the dimension of `households_reached`): "partners" when its case began
# with a creditor's early signal and outreach reached it, "direct" when the resident asked for help themselves
# through the portal (the seed's "directly or via the portals"): at the request, and at outreach to their case.
DIRECT, VIA_PARTNERS = "direct", "partners"


def _reached_through(self_reported: bool) -> str:
    return DIRECT if self_reported else VIA_PARTNERS


def _contact(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.ContactAttempted)
    if not data.reached:
        return []
    facts = [Fact("households_reached", data.municipality, data.household_ref, _reached_through(data.self_reported))]
    if data.within_term:
        facts.append(Fact("households_reached_in_term", data.municipality, data.household_ref))
    return facts


def _closed(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.CaseClosed)
    facts = [Fact("cases_closed", data.municipality, data.household_ref, data.outcome)]
    if data.reached:  # a case closed as reached counts the household even when no attempt was logged on its own
        facts.append(
            Fact("households_reached", data.municipality, data.household_ref, _reached_through(data.self_reported))
        )
    return facts


def _matched(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.HouseholdMatched)
    return [Fact("households_matched", data.municipality, data.household_ref, data.offer_id)]


def _accepted(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.ReferralAccepted)
    return [Fact("referrals_accepted", data.municipality, data.household_ref, data.offer_id)]


def _completed(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.ReferralCompleted)
    return [Fact("referrals_completed", data.municipality, data.household_ref, data.result)]


def _assigned(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.VolunteerAssigned)
    return [
        Fact("volunteers_assigned", data.municipality, data.household_ref or data.volunteer_id, data.role),
        Fact("volunteers_active", data.municipality, data.volunteer_id, data.role),
    ]


def _volunteer_status(event: CloudEvent) -> list[Fact]:
    """The registry: a volunteer counts from screening (status active) per role they are screened for, in each
    municipality they work in; recruited through an employer, also for that employer."""
    data = event.data_as(seen.VolunteerStatusChanged)
    facts: list[Fact] = []
    for municipality in data.municipalities:
        if data.status == "active":
            facts += [Fact("volunteers_registered", municipality, data.volunteer_id, role) for role in data.roles]
            employer = data.recruited_through.strip().lower()
            if employer and data.roles:
                facts.append(Fact("volunteers_via_employers", municipality, data.volunteer_id, employer))
                facts.append(Fact("employers_recruiting", municipality, employer))
        elif data.status == "left":
            facts.append(Fact("volunteers_left", municipality, data.volunteer_id))
    return facts


def _cohort_enrolled(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.CohortEnrolled)
    return [Fact("doorbraak_enrolled", data.municipality, data.household_ref)]


def _cohort_step(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.CohortStepCompleted)
    return [Fact("doorbraak_steps_completed", data.municipality, data.household_ref)]


def _cohort_exited(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.CohortExited)
    return [Fact("doorbraak_exited", data.municipality, data.household_ref, data.reason)]


def _lesson(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.LessonGiven)
    return [
        Fact("lessons_given", data.municipality, data.school),
        Fact("students_reached", data.municipality, data.school, value=data.students_reached),
    ]


def _eviction(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.EvictionReported)
    metric = f"evictions_{data.outcome}"
    month = data.on.strftime("%Y-%m") if data.on else ""  # counted in the month it happened, not when reported
    return [Fact(metric, data.municipality, data.household_ref, month=month)] if metric in METRICS else []


def _joined(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.PartnerJoined)
    return [Fact("members_joined", municipality, data.partner_id, data.type) for municipality in data.municipalities]


def _left(event: CloudEvent) -> list[Fact]:
    data = event.data_as(seen.PartnerLeft)
    return [Fact("members_left", municipality, data.partner_id, data.type) for municipality in data.municipalities]


def _help_requested(event: CloudEvent) -> list[Fact]:
    """A request through the employer desk (asked by its HR contact, or by the employee with its desk code) counts
    the employer as using the desk, once however many requests it brings."""
    data = event.data_as(seen.HelpRequested)
    facts = [Fact("employers_desk", data.municipality, data.employer_id)] if data.employer_id else []
    # a resident asking for help is reached directly; a case it opened of its own counts as opened (a case of
    # creditors that it started to be worked announced that itself, with case.opened)
    facts += [
        Fact("households_reached", data.municipality, data.household_ref, DIRECT),
        Fact("help_requests", data.municipality, data.household_ref, data.advice),
    ]
    if data.opened_case and not data.bundled:
        facts.append(Fact("cases_opened", data.municipality, data.household_ref))
    return facts


FACTS_OF: dict[str, Callable[[CloudEvent], list[Fact]]] = {
    seen.SIGNAL_RAISED: _signal,
    seen.CASE_OPENED: _opened,
    seen.CONTACT_ATTEMPTED: _contact,
    seen.CASE_CLOSED: _closed,
    seen.HOUSEHOLD_MATCHED: _matched,
    seen.REFERRAL_ACCEPTED: _accepted,
    seen.REFERRAL_COMPLETED: _completed,
    seen.VOLUNTEER_ASSIGNED: _assigned,
    seen.LESSON_GIVEN: _lesson,
    seen.EVICTION_REPORTED: _eviction,
    seen.PARTNER_JOINED: _joined,
    seen.PARTNER_LEFT: _left,
    seen.VOLUNTEER_STATUS_CHANGED: _volunteer_status,
    seen.COHORT_ENROLLED: _cohort_enrolled,
    seen.COHORT_STEP_COMPLETED: _cohort_step,
    seen.COHORT_EXITED: _cohort_exited,
    seen.HELP_REQUESTED: _help_requested,
}
