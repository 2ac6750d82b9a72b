"""The registry of partner organisations, the cooperative's members, and the credentials of their systems.

A partner system authenticates with a client id and secret (OAuth2 client credentials) and receives a short-lived
access token whose scopes follow from the partner's type. The secret is shown once, when it is issued, and stored
only as a hash. Joining and leaving are announced as events, stored with the change (outbox).
"""

import hmac
import re
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.access import Principal, Scope, hash_secret, new_secret
from plumbing.errors import Conflict, NotFound
from plumbing.events import new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.reference import Municipality
from plumbing.revocations import REVOCATIONS_TOPIC, access_revoked
from plumbing.unit_of_work import UnitOfWork
from services.signals.domain import CreditorType
from services.signals.events import EVENTS_TOPIC, PARTNER_JOINED, PARTNER_LEFT, PartnerJoined, PartnerLeft
from services.signals.settings import SignalsSettings

SOURCE = "/redzaam/signals/partners"


class PartnerType(StrEnum):
    MUNICIPALITY = "municipality"
    HOUSING = "housing"
    HEALTH_INSURER = "health_insurer"
    DEFAULTERS_SCHEME = "defaulters_scheme"  # the CAK, which runs the health-insurance defaulters scheme
    ENERGY = "energy"
    WATER = "water"
    BANK = "bank"
    EMPLOYER = "employer"
    SCHOOL = "school"
    DEBT_HELP = "debt_help"
    VOLUNTEER_ORGANISATION = "volunteer_organisation"
    OTHER = "other"


# The kinds of debt each type of creditor partner holds, and so the only creditor types its signals may name: a
# bank cannot report rent arrears. A municipality reports its taxes, and its other claims (such as benefits to be
# paid back) as "other".
CREDITOR_TYPES_OF = {
    PartnerType.MUNICIPALITY: frozenset({CreditorType.MUNICIPAL_TAX, CreditorType.OTHER}),
    PartnerType.HOUSING: frozenset({CreditorType.RENT}),
    PartnerType.HEALTH_INSURER: frozenset({CreditorType.HEALTH_INSURANCE}),
    PartnerType.DEFAULTERS_SCHEME: frozenset({CreditorType.DEFAULTERS_SCHEME}),
    PartnerType.ENERGY: frozenset({CreditorType.ENERGY}),
    PartnerType.WATER: frozenset({CreditorType.WATER}),
    PartnerType.BANK: frozenset({CreditorType.BANK}),
    PartnerType.EMPLOYER: frozenset({CreditorType.EMPLOYER}),
}
CREDITORS = set(CREDITOR_TYPES_OF)
HELP_OFFERS = {PartnerType.MUNICIPALITY, PartnerType.DEBT_HELP, PartnerType.VOLUNTEER_ORGANISATION, PartnerType.OTHER}


def creditor_type_refusal(partner_type: str, creditor_type: CreditorType) -> str:
    """Why a partner of this type may not send a signal of this creditor type; "" when it may."""
    allowed = next((kinds for kind, kinds in CREDITOR_TYPES_OF.items() if kind.value == partner_type), frozenset())
    if not allowed:
        return f"a partner of type {partner_type or '(none)'} sends no signals"
    if creditor_type in allowed:
        return ""
    kinds = " or ".join(sorted(kind.value for kind in allowed))
    return f"a {partner_type} partner sends {kinds} signals, not {creditor_type.value}"


def scopes_of(partner_type: PartnerType) -> frozenset[str]:
    """What a partner's systems may do follows from what kind of organisation it is."""
    scopes = set()
    if partner_type in CREDITORS:
        scopes.add(Scope.SUBMIT_SIGNALS.value)
    if partner_type is PartnerType.HOUSING:
        scopes.add(Scope.REPORT_EVICTIONS.value)
    if partner_type in HELP_OFFERS:
        scopes.add(Scope.HANDLE_REFERRALS.value)
    if partner_type is PartnerType.SCHOOL:
        scopes.add(Scope.REQUEST_LESSONS.value)
    return frozenset(scopes)


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=2, max_length=60, description="Short name, lower case: letters, digits and dashes.")
    name: str = Field(min_length=2, max_length=120)
    type: PartnerType
    municipalities: list[Municipality] = Field(min_length=1, description="CBS gemeentecodes the organisation works in.")

    @field_validator("id")
    @classmethod
    def slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError("use lower-case letters, digits and dashes")
        return value

    @field_validator("municipalities")
    @classmethod
    def distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class PartnerExists(Conflict):
    def __init__(self, partner_id: str) -> None:
        super().__init__(f"id: partner {partner_id} is already registered")


class UnknownPartner(NotFound):
    def __init__(self, partner_id: str, what: str = "registered") -> None:
        super().__init__(f"partner {partner_id} is not {what}")


async def register(
    work: UnitOfWork, settings: SignalsSettings, details: PartnerCreate, secret: str | None = None
) -> str:
    """Registers a member organisation; returns its client secret, which is not stored and cannot be shown again."""
    work.audit("partner.registered", f"partner:{details.id}")
    secret = secret or new_secret()
    event = new_event(
        type=PARTNER_JOINED,
        source=SOURCE,
        subject=details.id,
        data=PartnerJoined(
            partner_id=details.id, name=details.name, type=details.type, municipalities=details.municipalities
        ),
    )
    document = new_document(
        {
            "_id": details.id,
            "name": details.name,
            "type": details.type.value,
            "municipalities": details.municipalities,
            "active": True,
            "secret_hash": hash_secret(secret),
            "joined_at": datetime.now(UTC),
        },
        outbox_entry(settings.topic(EVENTS_TOPIC), event),
    )
    try:
        await work.db.partners.insert_one(document)
    except DuplicateKeyError as error:
        raise PartnerExists(details.id) from error
    work.announced("partners", details.id)
    return secret


async def leave(work: UnitOfWork, settings: SignalsSettings, partner_id: str) -> bool:
    """Marks a member as left; its credentials stop working. Returns False if it had already left."""
    work.audit("partner.left", f"partner:{partner_id}")
    partner = await work.db.partners.find_one({"_id": partner_id})
    if partner is None:
        raise UnknownPartner(partner_id)
    event = new_event(
        type=PARTNER_LEFT,
        source=SOURCE,
        subject=partner_id,
        data=PartnerLeft(partner_id=partner_id, type=partner["type"], municipalities=partner["municipalities"]),
    )
    result = await work.db.partners.update_one(
        {"_id": partner_id, "active": True},
        change_with_events(
            {"active": False, "left_at": datetime.now(UTC)},
            outbox_entry(settings.topic(EVENTS_TOPIC), event),
            outbox_entry(settings.topic(REVOCATIONS_TOPIC), access_revoked(partner_id)),  # its tokens end too
        ),
    )
    work.announced("partners", partner_id)
    return result.modified_count == 1


async def rotate_secret(work: UnitOfWork, settings: SignalsSettings, partner_id: str) -> str:
    """Issues a new client secret; the old one stops working at once, and so do the tokens it got (those issued
    before this second: a token got with the new secret in the same second stays valid)."""
    work.audit("partner.secret_rotated", f"partner:{partner_id}")
    secret = new_secret()
    revoked = access_revoked(partner_id, issued_before=int(time.time()))
    result = await work.db.partners.update_one(
        {"_id": partner_id, "active": True},
        change_with_events(
            {"secret_hash": hash_secret(secret)}, outbox_entry(settings.topic(REVOCATIONS_TOPIC), revoked)
        ),
    )
    if result.matched_count == 0:
        raise UnknownPartner(partner_id, "an active member")
    work.announced("partners", partner_id)
    return secret


async def authenticate(db: AsyncDatabase[Any], client_id: str, client_secret: str) -> Principal | None:
    """The partner these client credentials belong to, if it is an active member."""
    partner = await db.partners.find_one({"_id": client_id})
    if partner is None or not partner["active"]:
        return None
    if not hmac.compare_digest(partner["secret_hash"], hash_secret(client_secret)):
        return None
    return Principal(
        kind="partner",
        subject=partner["_id"],
        name=partner["name"],
        organisation=partner["_id"],
        municipalities=tuple(partner["municipalities"]),
        partner_type=partner["type"],
        scopes=scopes_of(PartnerType(partner["type"])),
    )


async def listing(db: AsyncDatabase[Any]) -> list[dict[str, Any]]:
    fields = {"name": 1, "type": 1, "municipalities": 1, "active": 1, "joined_at": 1, "left_at": 1, "desk_code": 1}
    return await db.partners.find({}, fields).sort("name", 1).to_list()
