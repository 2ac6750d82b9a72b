"""Use case: a coordinator pauses a volunteer (holiday, illness: not proposed, assignments kept) and resumes them."""

from typing import Any

from plumbing.unit_of_work import UnitOfWork
from services.volunteers.assignments import WrongState, assign_waiting, get_volunteer, register_volunteer
from services.volunteers.domain import VolunteerCreate, VolunteerStatus
from services.volunteers.events import EVENTS_TOPIC
from services.volunteers.settings import VolunteersSettings

# the status each change starts from and leads to
PAUSE = (VolunteerStatus.ACTIVE, VolunteerStatus.PAUSED)
RESUME = (VolunteerStatus.PAUSED, VolunteerStatus.ACTIVE)


async def change_availability(
    work: UnitOfWork, settings: VolunteersSettings, volunteer_id: str, change: tuple[VolunteerStatus, VolunteerStatus]
) -> list[str]:
    """Pauses (PAUSE) or resumes (RESUME) a volunteer; a paused volunteer keeps their assignments but is proposed
    for nothing new. On resuming, the requests waiting in their municipalities are tried. Returns the ids of the
    requests assigned now."""
    before, after = change
    action = "volunteer.paused" if after is VolunteerStatus.PAUSED else "volunteer.resumed"
    work.audit(action, f"volunteer:{volunteer_id}")
    volunteer: dict[str, Any] = await get_volunteer(work.db, volunteer_id)
    if volunteer.get("status") != before.value or "erased_at" in volunteer:
        raise WrongState(f"status: volunteer {volunteer_id} is {volunteer.get('status')}, not {before.value}")
    fields = {key: value for key, value in volunteer.items() if key in VolunteerCreate.model_fields}
    changed = VolunteerCreate.model_validate({**fields, "id": volunteer_id, "status": after})
    await register_volunteer(work.db, changed, settings.topic(EVENTS_TOPIC))
    work.announced("volunteers", volunteer_id)
    if after is not VolunteerStatus.ACTIVE:
        return []
    return await assign_waiting(work, settings, changed.municipalities)
