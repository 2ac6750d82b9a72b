"""What personal data the reporting service keeps, where, why and how long (see plumbing.register).

Reporting counts: it knows households by their pseudonym and volunteers by their id, as the subjects of its counter
documents, so that a figure counts each of them once over the period it shows. The Schuldenlab keeps the names of
project leaders and steering groups and the staff accounts of leaders, as part of a project's record. The
retention run (services.reporting.retention) expires the audit log; why the other terms are not a run's is in them.
"""

from plumbing.audit import audit_register_entries
from plumbing.register import PersonalField, Register, Term
from services.reporting.settings import ReportingSettings

HOUSEHOLD = "household (known by its pseudonym)"
VOLUNTEER = "volunteer (known by their id in the volunteers service)"
LEADER = "project leader or steering-group member (staff of a municipality or partner)"
COUNTING = "count each household and volunteer once over the period a figure shows (distinct counts)"
FIGURES = (
    "AVG art. 6(1)(e) and art. 89: the municipality's public task of debt help (Wet gemeentelijke "
    "schuldhulpverlening art. 2 and 3: plan, steer and account for it), as figures, with pseudonymisation as the "
    "safeguard"
)
LAB = "run the cooperative's innovation projects through their phases and Go/No-Go gates, and account for them"
LAB_BASIS = (
    "AVG art. 6(1)(e): the municipality's public task of debt help (Wgs art. 2, the plan and its innovation); "
    "art. 6(1)(b)/(f) for the leaders' own work"
)

SUBJECTS_TERM = Term(
    "kept with the counters; not thinned by a retention run: a figure counts each subject once over the whole "
    "period it shows (all months, a target's period of years, one municipality over all months), which no stored "
    "count per month can give once the subjects are gone, so subjects of old months are needed as long as a figure "
    "spans them; and the counters are rebuilt from the Kafka log, whose events carry the same pseudonyms, so "
    "dropping them here would not remove them from the platform. Pseudonyms only: the key to an address never "
    "leaves the signals service, which erases the personal data behind it after its own term"
)
PROJECT_TERM = Term(
    "as long as the project is in the portfolio; not erased by a retention run: the record of a publicly funded "
    "project and its Go/No-Go decisions is the municipality's to keep under the Archiefwet 1995, and the project "
    "is rebuilt from its events"
)
EVENT_TERM = Term(
    "kept in the topic as long as the broker keeps it: the portfolio is rebuilt from it (the event carries the "
    "whole project)"
)
HOUSEHOLD_EVENTS = (
    "SignalRaised",
    "CaseOpened",
    "ContactAttempted",
    "CaseClosed",
    "HouseholdMatched",
    "ReferralAccepted",
    "ReferralCompleted",
    "VolunteerAssigned",
    "EvictionReported",
    "CohortEnrolled",
    "CohortStepCompleted",
    "CohortExited",
    "HelpRequested",
)

REGISTER = Register(
    service="reporting",
    settings=ReportingSettings,
    fields=(
        PersonalField(
            "counters",
            "subjects",
            HOUSEHOLD,
            f"{COUNTING}: the pseudonyms of the households a counter of households reached, matched, referred or "
            "in the Doorbraak cohort counted",
            FIGURES,
            SUBJECTS_TERM,
            models=tuple(f"{model}.household_ref" for model in HOUSEHOLD_EVENTS),
            notes="also in the projection a rebuild fills; `counters_seen` keeps only event ids and offsets",
        ),
        PersonalField(
            "counters",
            "subjects",
            VOLUNTEER,
            f"{COUNTING}: the ids of the volunteers a counter of active or registered volunteers counted",
            FIGURES,
            SUBJECTS_TERM,
            models=(
                "VolunteerAssigned.volunteer_id",
                "LessonGiven.volunteer_id",
                "VolunteerStatusChanged.volunteer_id",
            ),
        ),
        PersonalField(
            "lab_projects",
            "leader.name",
            LEADER,
            f"{LAB}: who leads the project",
            LAB_BASIS,
            PROJECT_TERM,
            models=("Leader.name",),
        ),
        PersonalField(
            "lab_projects",
            "leader.account",
            LEADER,
            f"{LAB}: the leader's staff account, which may change the project",
            LAB_BASIS,
            PROJECT_TERM,
            models=("Leader.account",),
        ),
        PersonalField(
            "lab_projects",
            "steering_group",
            LEADER,
            f"{LAB}: who sits in the project's steering group",
            LAB_BASIS,
            PROJECT_TERM,
            models=("ProjectFields.steering_group",),
        ),
        PersonalField(
            "lab_projects",
            "decisions[].by",
            LEADER,
            f"{LAB}: who took a Go/No-Go decision (the steering group, as recorded by)",
            LAB_BASIS,
            PROJECT_TERM,
            models=("Decision.by",),
        ),
        PersonalField(
            "topic:lab.events",
            "data.project",
            LEADER,
            "every change of a project announced with the whole project (its leader, steering group and decisions)",
            LAB_BASIS,
            EVENT_TERM,
        ),
        *audit_register_entries(),
    ),
)
