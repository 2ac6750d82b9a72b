"""E-mail to a help-offer partner when a referral arrives at one of its offers.

Triggered by this service's own `household.matched` events (read back from its topic), so that a notification
follows every match that was written, also one written just before a crash; the notification's key (referral and
offer) makes a redelivered event, or a referral matched again to the same offer, notify once.
"""

from typing import Any

from plumbing.events import CloudEvent
from plumbing.mail import Notification, enqueue
from plumbing.unit_of_work import UnitOfWork
from services.referrals.events import HouseholdMatched
from services.referrals.settings import ReferralsSettings


async def referral_arrived(work: UnitOfWork, settings: ReferralsSettings, event: CloudEvent) -> int:
    """Queues the e-mail to the offer's notification address, if it has one; returns how many were queued."""
    matched = event.data_as(HouseholdMatched)
    offer: dict[str, Any] | None = await work.db.offers.find_one(
        {"_id": matched.offer_id}, {"name": 1, "notify_email": 1}
    )
    if offer is None or not offer.get("notify_email"):
        return 0
    link = f"{settings.referrals_url}/verwijzingen/{matched.referral_id}"
    body = (
        f"Er is een nieuwe verwijzing voor {offer['name']}.\n\n"
        f"Bekijk en beantwoord haar in Redzaam (accepteren of afwijzen): {link}\n\n"
        "Deze e-mail bevat geen gegevens over het huishouden; die ziet u na inloggen."
    )
    notification = Notification(
        key=f"referral-arrived:{matched.referral_id}:{matched.offer_id}",
        to=offer["notify_email"],
        subject=f"Nieuwe verwijzing: {offer['name']}",
        body=body,
    )
    return await enqueue(work.db, [notification])
