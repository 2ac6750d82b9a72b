"""The administrator's use cases that both the access API and the administrator's page call: admitting a member,
a member leaving, deactivating a staff account."""

from fastapi import Request

from plumbing.access import Principal
from plumbing.errors import Conflict
from plumbing.runtime import Runtime
from services.signals import employer_desk
from services.signals.access import accounts, kafka_access, partners
from services.signals.access.partners import PartnerCreate, PartnerType
from services.signals.kafka_intake import partner_topic
from services.signals.partner_feedback import feedback_topic
from services.signals.settings import SignalsSettings


class OwnAccount(Conflict):
    """An administrator cannot deactivate the account they are using: that could leave no administrator."""

    def __init__(self) -> None:
        super().__init__("username: you cannot deactivate the account you are signed in with")


async def admit_member(
    runtime: Runtime, settings: SignalsSettings, request: Request, admin: Principal, details: PartnerCreate
) -> str:
    """Registers the member, opens its own intake and feedback topics and logs who did it; returns the client
    secret (shown once)."""
    async with runtime.unit_of_work(request, admin) as work:
        secret = await partners.register(work, settings, details)
        if details.type is PartnerType.EMPLOYER:  # the desk code its employees give on the help form
            await employer_desk.issue_desk_code(work, details.id)
    await runtime.ensure_topics([partner_topic(settings, details.id), feedback_topic(settings, details.id)])
    await kafka_access.open_door(settings, details.id, details.type, secret)
    return secret


async def deactivate_account(
    runtime: Runtime, settings: SignalsSettings, request: Request, admin: Principal, username: str
) -> None:
    """The account can no longer sign in and its sessions end in every service."""
    if username == admin.subject:
        raise OwnAccount()
    async with runtime.unit_of_work(request, admin) as work:
        await accounts.deactivate(work, settings, username)


async def member_leaves(
    runtime: Runtime, settings: SignalsSettings, request: Request, admin: Principal, partner_id: str
) -> None:
    async with runtime.unit_of_work(request, admin) as work:
        await partners.leave(work, settings, partner_id)
    await kafka_access.close_door(settings, partner_id)


async def new_member_secret(
    runtime: Runtime, settings: SignalsSettings, request: Request, admin: Principal, partner_id: str
) -> str:
    """A new client secret; the old one stops working, on Kafka too."""
    async with runtime.unit_of_work(request, admin) as work:
        secret = await partners.rotate_secret(work, settings, partner_id)
    member = await runtime.db.partners.find_one({"_id": partner_id}, {"type": 1})
    if member is not None:
        await kafka_access.open_door(settings, partner_id, PartnerType(member["type"]), secret)
    return secret
