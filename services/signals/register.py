"""What personal data the signals service keeps, where, why and how long (see plumbing.register).

The retention run (services.signals.retention) erases by these entries: a field listed here with a term is erased
when that term has passed; a field whose term names no setting is kept, and its term says why.
"""

from plumbing.audit import audit_register_entries
from plumbing.mail import register_entries as mail_register_entries
from plumbing.public_forms import register_entries as public_form_register_entries
from plumbing.register import PersonalField, Register, Term
from services.signals.settings import SignalsSettings

HOUSEHOLD = "household (resident with payment arrears)"
STAFF = "staff member (outreach worker, administrator)"
OUTREACH = "reach out to the household and offer help after an early signal of payment arrears"
WGS = "AVG art. 6(1)(c) and (e) with the Wgs art. 3 and 5 (early signalling) and the Besluit Wgs"
PSEUDONYM_BASIS = "AVG art. 6(1)(e) and art. 89 (figures, with pseudonymisation as the safeguard)"

CASE_TERM = Term(
    "{retention_days_without_help} days after the case closed without help, {retention_days_after_help} days "
    "after it closed with help or a referral; a case below the threshold closes by itself "
    "{registered_close_days} days after its last counted signal"
)
EVICTION_TERM = Term("{eviction_address_retention_days} days after the report came in")
PSEUDONYM_TERM = Term(
    "kept with the figures; not erased: a pseudonym, linked to an address only with the key that never leaves "
    "this service"
)
EVENT_TERM = Term(
    "kept in the topic as long as the broker keeps it: the other services and reporting rebuild from it; never a "
    "name, address or birth date"
)
ACCOUNT_TERM = Term(
    "as long as the account exists; not erased by a retention run: a deactivated account is kept so that the "
    "audit log's names stay resolvable"
)
PERSON_FIELDS = ("Person.name", "Person.birth_date", "Person.phone", "Person.email")
ADDRESS_FIELDS = ("Address.postcode", "Address.house_number", "Address.addition", "Address.street", "Address.city")
EVENT_MODELS = (
    "SignalRaised",
    "CaseOpened",
    "CaseEscalated",
    "ContactAttempted",
    "CaseClosed",
    "EvictionReported",
    "HelpRequested",
)
RESIDENT = (
    "resident who asked for help themselves (Hulp vragen), or an employee for whom the employer's HR contact asked "
    "on the employer desk, with the employee's consent"
)
CONSENT = (
    "AVG art. 6(1)(a): the resident's (or employee's) explicit consent, with the Wgs art. 3 (the municipality's debt "
    "help)"
)
HELP_REQUEST_FIELDS = tuple(
    f"HelpRequestCreate.{name}"
    for name in ("name", "phone", "email", "postcode", "house_number", "addition", "street", "city", "test")
)

REGISTER = Register(
    service="signals",
    settings=SignalsSettings,
    fields=(
        PersonalField(
            "cases",
            "personal",
            HOUSEHOLD,
            f"{OUTREACH}: name, birth date, phone, e-mail and address, encrypted (AES-256-GCM)",
            WGS,
            CASE_TERM,
            models=(*PERSON_FIELDS, *ADDRESS_FIELDS, "SignalSubmission.person", "SignalSubmission.address"),
        ),
        PersonalField(
            "cases",
            "help_requests[].personal",
            RESIDENT,
            "reach out to a resident who asked for help: name, phone, e-mail, address and the self-test's answers "
            "(income, arrears, worries), encrypted (AES-256-GCM); a self-reported case keeps the name, contact "
            "details and address also as its `personal`",
            CONSENT,
            CASE_TERM,
            models=HELP_REQUEST_FIELDS,
        ),
        PersonalField(
            "signals",
            "submission.person",
            HOUSEHOLD,
            "the signal as the creditor sent it (name, birth date, phone, e-mail), encrypted",
            WGS,
            CASE_TERM,
            models=PERSON_FIELDS,
        ),
        PersonalField(
            "signals",
            "submission.address",
            HOUSEHOLD,
            "the signal as the creditor sent it (address), encrypted",
            WGS,
            CASE_TERM,
            models=ADDRESS_FIELDS,
        ),
        *(
            PersonalField(
                collection,
                path,
                HOUSEHOLD,
                "the creditor's own reference to its contract with the household: feedback per signal",
                WGS,
                CASE_TERM,
                models=("SignalSubmission.contract_reference", "FeedbackItem.contract_reference"),
                erased_value="",
            )
            for collection, path in (
                ("cases", "creditors[].contract_reference"),
                ("signals", "contract_reference"),
                ("signals", "submission.contract_reference"),
            )
        ),
        PersonalField(
            "cases",
            "contact_attempts[].note",
            HOUSEHOLD,
            "the outreach worker's note on a contact attempt (free text)",
            WGS,
            CASE_TERM,
            models=("ContactAttemptCreate.note",),
            erased_value="",
        ),
        PersonalField(
            "cases",
            "closing_note",
            HOUSEHOLD,
            "the outreach worker's note on closing the case (free text, stays in the municipality)",
            WGS,
            CASE_TERM,
            models=("CaseClose.note",),
            erased_value="",
        ),
        PersonalField(
            "cases",
            "contact_attempts[].worker",
            STAFF,
            "who tried to reach the household, for the colleagues working the case",
            "AVG art. 6(1)(e): the municipality's task of early signalling",
            CASE_TERM,
            erased_value="",
        ),
        PersonalField(
            "cases",
            "closed_by",
            STAFF,
            "who closed the case",
            "AVG art. 6(1)(e): the municipality's task of early signalling",
            CASE_TERM,
            erased_value="",
        ),
        PersonalField(
            "evictions",
            "address",
            HOUSEHOLD,
            "a housing partner's report of how an announced eviction ended: the address finds the household's "
            "pseudonym, encrypted",
            WGS,
            EVICTION_TERM,
            models=("EvictionReport.address",),
        ),
        *(
            PersonalField(
                collection,
                path,
                HOUSEHOLD,
                "the pseudonymous household reference: bundles signals into one case and counts households "
                "without naming them",
                PSEUDONYM_BASIS,
                EVENT_TERM if collection.startswith("topic:") else PSEUDONYM_TERM,
                models=models,
            )
            for collection, path, models in (
                ("cases", "household_ref", ("CasePublic.household_ref",)),
                ("signals", "household_ref", ()),
                ("evictions", "household_ref", ()),
                ("households", "_id", ()),
                ("referral_news", "household_ref", ("ReferralNews.household_ref",)),  # what became of a referral
                ("topic:signals.events", "data.household_ref", tuple(f"{m}.household_ref" for m in EVENT_MODELS)),
            )
        ),
        *(
            PersonalField(
                "topic:signals.events",
                f"data.{name}",
                HOUSEHOLD,
                f"the {what} of a closed case's resident: matching offers with an age limit (the birth date stays)",
                "AVG art. 6(1)(e) with the Wgs art. 3 (referral to help)",
                EVENT_TERM,
                models=(f"CaseClosed.{name}",),
            )
            for name, what in (("age", "age in whole years"), ("age_band", "coarse age band"))
        ),
        PersonalField(
            "accounts",
            "_id",
            STAFF,
            "the username a staff member signs in with",
            "AVG art. 6(1)(b) and (f): the employment, and securing access (AVG art. 32)",
            ACCOUNT_TERM,
            models=("AccountCreate.username", "AccountPublic.username"),
        ),
        PersonalField(
            "accounts",
            "name",
            STAFF,
            "the staff member's name, shown to colleagues",
            "AVG art. 6(1)(b): the employment",
            ACCOUNT_TERM,
            models=("AccountCreate.name", "AccountPublic.name"),
        ),
        PersonalField(
            "accounts",
            "password_hash",
            STAFF,
            "checks the password at sign-in (scrypt hash, never the password)",
            "AVG art. 32: securing access",
            ACCOUNT_TERM,
            models=("AccountCreate.password",),
        ),
        *(
            PersonalField("accounts", path, STAFF, f"{what}, encrypted", "AVG art. 32: securing access", ACCOUNT_TERM)
            for path, what in (
                ("totp_secret", "the second factor of an administrator"),
                ("totp_pending", "a second factor being set up, until its first code is confirmed"),
            )
        ),
        *public_form_register_entries(RESIDENT, CONSENT),
        *audit_register_entries(),
        *mail_register_entries(
            "neighbourhood team (its team mailbox); a resident who asked for a confirmation of their help request",
            "AVG art. 6(1)(e): the municipality's task of early signalling (Wgs art. 3)",
        ),
    ),
    not_personal={
        **dict.fromkeys(
            ("PartnerCreate.name", "PartnerPublic.name", "PartnerJoined.name"),
            "the name of an organisation (a member of the cooperative), not of a person",
        ),
        "TeamChange.name": "the name of a neighbourhood team, not of a person",
        "QueueWeights.age": "a weight per day a case is old, not a person's age",
    },
)
