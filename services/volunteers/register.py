"""What personal data the volunteers service keeps, where, why and how long (see plumbing.register).

The retention run (services.volunteers.retention) erases by these entries.
"""

from typing import Any

from plumbing.audit import audit_register_entries
from plumbing.mail import register_entries as mail_register_entries
from plumbing.public_forms import register_entries as public_form_register_entries
from plumbing.register import Erasure, PersonalField, Register, Term
from services.volunteers.settings import VolunteersSettings

VOLUNTEER = "volunteer (or someone who signed up as one)"
HOUSEHOLD = "household helped by a volunteer"
MATCHING = "register, screen and assign volunteers to households and guest lessons"
AGREEMENT = "AVG art. 6(1)(b): the volunteer agreement (and the steps before it, at the volunteer's request)"

APPLICANT_TERM = Term("{applicant_retention_days} days after signing up, when never screened; the sign-up is deleted")
LEFT_TERM = Term("{left_retention_days} days after the volunteer left")
PSEUDONYM_TERM = Term(
    "kept with the assignment: a pseudonym from the signals service, which alone holds the key to an address"
)

# path, the model field it comes from, what for, and what it reads after erasure
VOLUNTEER_FIELDS: tuple[tuple[str, str, str, Any], ...] = (
    ("name", "VolunteerFields.name", "their name, for the coordinator and the household", "(gewist)"),
    ("phone", "VolunteerFields.phone", "to reach them about an assignment", ""),
    ("email", "SignUp.email", "to reach them about their sign-up and assignments", None),
    ("languages", "VolunteerFields.languages", "to match them to households that speak the language", []),
    ("recruited_through", "VolunteerFields.recruited_through", "the employer or channel they came through", ""),
    (
        "certificate_of_conduct_date",
        "VolunteerCreate.certificate_of_conduct_date",
        "screening: the date of their certificate of conduct (VOG), which must be recent",
        None,
    ),
)

REGISTER = Register(
    service="volunteers",
    settings=VolunteersSettings,
    fields=(
        *(
            PersonalField(
                "volunteers",
                path,
                VOLUNTEER,
                f"{MATCHING}: {purpose}",
                AGREEMENT,
                APPLICANT_TERM,
                models=(model, "VolunteerCreate.email") if path == "email" else (model,),
                erasure=Erasure.DOCUMENT,
            )
            for path, model, purpose, _ in VOLUNTEER_FIELDS
        ),
        *(
            PersonalField(
                "volunteers",
                path,
                VOLUNTEER,
                f"{MATCHING}: {purpose}",
                AGREEMENT,
                LEFT_TERM,
                models=(model, "VolunteerCreate.email") if path == "email" else (model,),
                erased_value=erased,
            )
            for path, model, purpose, erased in VOLUNTEER_FIELDS
        ),
        PersonalField(
            "volunteers",
            "households_served",
            HOUSEHOLD,
            f"{MATCHING}: someone who helped a household before is proposed to it first (pseudonyms)",
            "AVG art. 6(1)(e): the municipality's task of debt help (Wgs art. 3)",
            LEFT_TERM,
            erased_value=[],
        ),
        PersonalField(
            "assignments",
            "hours[].by",
            VOLUNTEER,
            "who logged the hours of an assignment",
            AGREEMENT,
            LEFT_TERM,
            models=("Hours.by",),
            erased_value="",
            notes="erased with the data of the volunteer assigned",
        ),
        PersonalField(
            "assignments",
            "household_ref",
            HOUSEHOLD,
            "the household a volunteer is asked for, by its pseudonym only",
            "AVG art. 6(1)(e) and art. 89 (figures, with pseudonymisation as the safeguard)",
            PSEUDONYM_TERM,
            models=("HouseholdMatched.household_ref", "AssignmentPublic.household_ref"),
        ),
        PersonalField(
            "topic:volunteers.events",
            "data.household_ref",
            HOUSEHOLD,
            "assignments and releases announced to reporting, by pseudonym only",
            "AVG art. 6(1)(e) and art. 89 (figures, with pseudonymisation as the safeguard)",
            PSEUDONYM_TERM,
            models=("VolunteerAssigned.household_ref", "VolunteerReleased.household_ref"),
        ),
        *audit_register_entries(),
        *mail_register_entries(VOLUNTEER, AGREEMENT),
        *public_form_register_entries(VOLUNTEER, AGREEMENT),
    ),
)
