"""The fields events share, described once: what a partner's developer reads in the AsyncAPI document."""

from datetime import date
from typing import Annotated

from pydantic import Field

HouseholdRef = Annotated[
    str,
    Field(
        description="Pseudonymous household reference: the same household always has the same one, and only the "
        "signals service can tell who it is.",
        examples=["hh-3f9c2a1b0d4e5f6a7b8c9d0e"],
    ),
]
MunicipalityCode = Annotated[str, Field(description="CBS gemeentecode of the municipality.", examples=["GM0141"])]
CaseId = Annotated[str, Field(description="Id of the case in the signals service.", examples=["c-5d1e9a7b2c3f"])]
ReferralId = Annotated[str, Field(description="Id of the referral in the referrals service.", examples=["r-8a2b4c"])]
OfferId = Annotated[
    str, Field(description="Id of the help offer in the catalogue.", examples=["budgetcoaching-salland"])
]
VolunteerId = Annotated[str, Field(description="Id of the volunteer in the registry (no name).", examples=["vw-anna"])]
AssignmentId = Annotated[
    str, Field(description="Id of the request for a volunteer, and of its assignment.", examples=["r-8a2b4c"])
]
Cohort = Annotated[str, Field(description="The cohort: the Doorbraakmethode's.", examples=["doorbraak"])]
Deadline = Annotated[
    date, Field(description="Last working day to reach out to the household.", examples=["2026-12-16"])
]
