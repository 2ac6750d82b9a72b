"""E-mail to a volunteer when they are assigned to a household or a guest lesson.

Triggered by this service's own `volunteer.assigned` events (read back from its topic), so that every assignment
that was written is notified, also one written just before a crash; the key (assignment and volunteer) makes a
redelivered event notify once. The e-mail says nothing about the household: the coordinator calls the volunteer.
"""

from typing import Any

from plumbing.events import CloudEvent
from plumbing.mail import Notification, enqueue
from plumbing.unit_of_work import UnitOfWork
from services.volunteers.events import VolunteerAssigned

ROLE_NAMES = {"budget_coach": "budgetcoach", "guest_teacher": "gastdocent", "debt_buddy": "schuldhulpmaatje"}


async def assigned(work: UnitOfWork, event: CloudEvent) -> int:
    """Queues the e-mail to the volunteer, if they gave an address; returns how many were queued."""
    data = event.data_as(VolunteerAssigned)
    volunteer: dict[str, Any] | None = await work.db.volunteers.find_one({"_id": data.volunteer_id}, {"email": 1})
    if volunteer is None or not volunteer.get("email"):
        return 0
    what = "een gastles" if not data.household_ref else "een huishouden"
    role = ROLE_NAMES.get(data.role, data.role)
    notification = Notification(
        key=f"volunteer-assigned:{data.assignment_id}:{data.volunteer_id}",
        to=volunteer["email"],
        subject="U bent gekoppeld via Redzaam",
        body=(
            f"U bent als {role} gekoppeld aan {what}.\n\n"
            "De vrijwilligerscoördinator neemt contact met u op om kennis te maken en de afspraken door te "
            "spreken. Deze e-mail bevat bewust geen gegevens over het huishouden.\n\nDank voor uw inzet!"
        ),
    )
    return await enqueue(work.db, [notification])
