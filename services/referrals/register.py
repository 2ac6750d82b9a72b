"""What personal data the referrals service keeps, where, why and how long (see plumbing.register).

Referrals never sees contact data: a household is known by the pseudonym the signals service gives it, and by an age
for offers' age limits. Free text a caseworker or partner types (reasons, a cohort plan's goals and steps) is treated
as personal, since it may name a person or their situation. The retention run (services.referrals.retention) erases
by these entries.
"""

from plumbing.audit import audit_register_entries
from plumbing.mail import register_entries as mail_register_entries
from plumbing.register import Erasure, PersonalField, Register, Term
from services.referrals.settings import ReferralsSettings

HOUSEHOLD = "household referred to help (known by its pseudonym)"
ACTOR = "staff member or partner employee who moved the referral (or the partner system)"
REFERRING = "refer a household to the help offer that fits it, and follow the referral until it ends"
WGS = "AVG art. 6(1)(e): the municipality's public task of debt help (Wet gemeentelijke schuldhulpverlening art. 3)"
DOORBRAAK = "give a household of the Doorbraakmethode cohort a tailored plan and follow its steps"

REFERRAL_TERM = Term("{closed_referral_retention_days} days after the referral was completed or cancelled")
COHORT_TERM = Term("{cohort_retention_days} days after the household left the cohort")
PLACE_TERM = Term(
    "kept with the cohort's count of places: a pseudonym from the signals service, which alone holds the key to an "
    "address; it keeps a household from taking a second place"
)
EVENT_TERM = Term(
    "kept in the topic as long as the broker keeps it: volunteers and reporting rebuild from it; a pseudonym, never "
    "a name, address or age"
)
FEED_TERM = Term(
    "30 days after it was written, once published: the partner has had it; dropped whole by the partner feed's own "
    "job (services.referrals.partner_topics.prune_feed)"
)
EVENT_MODELS = (
    "HouseholdMatched",
    "ReferralChange",
    "CohortEnrolled",
    "CohortStepCompleted",
    "CohortExited",
)

REGISTER = Register(
    service="referrals",
    settings=ReferralsSettings,
    fields=(
        PersonalField(
            "referrals",
            "household_ref",
            HOUSEHOLD,
            f"{REFERRING}: the household the referral is for, by its pseudonym only",
            WGS,
            REFERRAL_TERM,
            models=("ReferralCreate.household_ref", "ReferralPublic.household_ref", "CaseClosed.household_ref"),
            erased_value="",
        ),
        *(
            PersonalField(
                "referrals",
                path,
                HOUSEHOLD,
                f"{REFERRING}: {what}, checked against an offer's age limits (from the case the signals service "
                "closed, or from the caseworker)",
                WGS,
                REFERRAL_TERM,
                models=(f"MatchRequest.{path}", f"ReferralPublic.{path}", f"CaseClosed.{path}"),
            )
            for path, what in (("age", "the age in whole years"), ("age_band", "a coarse age band of older events"))
        ),
        PersonalField(
            "referrals",
            "history[].reason",
            HOUSEHOLD,
            f"{REFERRING}: why a partner declined or a caseworker cancelled (free text, may hold personal detail)",
            WGS,
            REFERRAL_TERM,
            models=("Decline.reason", "Cancel.reason", "ReferralAnswered.reason"),
            erased_value="",
        ),
        PersonalField(
            "referrals",
            "history[].by",
            ACTOR,
            f"{REFERRING}: who took each step (a username or partner system)",
            "AVG art. 6(1)(e) and art. 5(2): accounting for the referral's steps",
            REFERRAL_TERM,
            erased_value="",
        ),
        PersonalField(
            "referrals",
            "outbox",
            HOUSEHOLD,
            f"{REFERRING}: the last events announced about the referral (pseudonym, reasons), kept a while by the "
            "relay after publishing",
            WGS,
            REFERRAL_TERM,
            erased_value={},
        ),
        PersonalField(
            "cohort_members",
            "_id",
            HOUSEHOLD,
            f"{DOORBRAAK}: the household in the cohort, by its pseudonym only",
            WGS,
            PLACE_TERM,
            models=("Enrolment.household_ref",),
        ),
        PersonalField(
            "cohort_members",
            "goals",
            HOUSEHOLD,
            f"{DOORBRAAK}: the plan's goals (free text, may hold personal detail)",
            WGS,
            COHORT_TERM,
            models=("Enrolment.goals",),
            erased_value=[],
        ),
        PersonalField(
            "cohort_members",
            "steps[].text",
            HOUSEHOLD,
            f"{DOORBRAAK}: what each step of the plan is (free text, may hold personal detail); due dates and "
            "progress stay",
            WGS,
            COHORT_TERM,
            models=("PlanStep.text",),
            erased_value="",
        ),
        PersonalField(
            "topic:referrals.events",
            "data.household_ref",
            HOUSEHOLD,
            "referrals and the cohort announced to volunteers and reporting, by pseudonym only",
            "AVG art. 6(1)(e) and art. 89 (figures, with pseudonymisation as the safeguard)",
            EVENT_TERM,
            models=tuple(f"{model}.household_ref" for model in EVENT_MODELS),
        ),
        PersonalField(
            "topic:referrals.events",
            "data.reason",
            HOUSEHOLD,
            "why a referral was declined or cancelled, announced to reporting (free text, may hold personal detail)",
            WGS,
            EVENT_TERM,
            models=("ReferralDeclined.reason", "ReferralCancelled.reason"),
            notes="a partner should write a reason without names; the topic cannot be edited afterwards",
        ),
        PersonalField(
            "partner_feed",
            "event.data.household_ref",
            HOUSEHOLD,
            f"{REFERRING}: what the help-offer partner was told of the referrals to its offers (pseudonym only), "
            "for its poll (GET /api/v1/referral-updates)",
            WGS,
            FEED_TERM,
            models=("PartnerReferral.household_ref",),
            erasure=Erasure.DOCUMENT,
        ),
        PersonalField(
            "topic:partners.<partner-id>.referrals",
            "data.household_ref",
            HOUSEHOLD,
            "the referrals to its offers announced to the help-offer partner alone (Kafka ACL), by pseudonym only",
            WGS,
            EVENT_TERM,
        ),
        PersonalField(
            "topic:referrals.intake.<partner-id>",
            "data.reason",
            HOUSEHOLD,
            "why the partner declined, as it wrote it in its answer (free text, may hold personal detail)",
            WGS,
            EVENT_TERM,
            notes="the partner's own topic; a partner should write a reason without names",
        ),
        *audit_register_entries(),
        *mail_register_entries(
            "help-offer partner (its team mailbox)",
            "AVG art. 6(1)(e): the municipality's task of debt help (Wgs art. 3)",
        ),
    ),
    not_personal={
        **dict.fromkeys(("OfferCreate.name", "RankedOffer.name"), "the name of a help offer, not of a person"),
        "PartnerJoined.name": "the name of an organisation (a member of the cooperative), not of a person",
    },
)
