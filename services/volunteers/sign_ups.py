"""Use case: a new volunteer signs up on the public form (page or API). The same sign-up again within the duplicate
window (plumbing.public_forms) is recognised and stored once; the page and the API say so kindly."""

import uuid
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing import public_forms
from services.volunteers.assignments import register_volunteer
from services.volunteers.domain import SignUp, VolunteerCreate
from services.volunteers.settings import VolunteersSettings

FORM = "volunteer_sign_up"


@dataclass(frozen=True)
class SignedUp:
    volunteer_id: str
    duplicate: bool = False


async def sign_up(db: AsyncDatabase[Any], settings: VolunteersSettings, form: SignUp) -> SignedUp:
    """Registers the applicant, unless the same sign-up came within the window: then the earlier one stands."""
    volunteer_id = f"vw-{uuid.uuid4().hex[:10]}"
    key = public_forms.fingerprint(settings, FORM, form.model_dump(mode="json"))
    earlier = await public_forms.claim(db, key, volunteer_id, public_forms.duplicate_window(settings))
    if earlier is not None:
        return SignedUp(earlier, duplicate=True)
    try:
        await register_volunteer(db, VolunteerCreate(id=volunteer_id, **form.model_dump()))
    except BaseException:
        await public_forms.release(db, key, volunteer_id)
        raise
    await public_forms.confirm(db, key, volunteer_id)
    return SignedUp(volunteer_id)
