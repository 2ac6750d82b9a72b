"""The employer debt-help desk (werkgevers-schuldhulp-desk): each employer member has a desk code, which an employee
gives on the resident's help form (`/hulp-vragen?werkgever=<code>`) so that the request counts for the employer,
and HR contacts (role `employer_hr`) who ask help for an employee who consents.

A code is eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 39 bits: not a secret, but
not guessable either within the public form's rate limits. It is kept twice: as the `_id` of its own document in
`desk_codes` (a lookup by `_id`, the one kind the local server does fast) and as the employer's current
`desk_code`. A code counts only while both agree, so a new code retires the old one at once, even when a crash
left the old document behind.
"""

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.errors import Invalid, NotFound
from plumbing.unit_of_work import UnitOfWork
from services.signals.access.partners import PartnerType

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-.]")


class NotAnEmployer(NotFound):
    """The partner is not an active employer member."""

    def __init__(self, partner_id: str) -> None:
        super().__init__(f"partner_id: {partner_id} is not an active employer member")


class DeskCodeRefused(Invalid):
    """A desk code that is malformed, unknown or retired: `problem` for the API, `dutch` beside the form's field."""

    def __init__(self, problem: str, dutch: str) -> None:
        super().__init__("employer_code", problem)
        self.dutch = dutch


def new_desk_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalised(code: str) -> str:
    """The stored form of a code as someone may type it: upper case, without spaces or dashes."""
    return _SEPARATORS.sub("", code).upper()


def shown(code: str) -> str:
    """A code as people read it: two groups of four, `K7QM-X3PR`."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(character in ALPHABET for character in code)


async def active_employer(db: AsyncDatabase[Any], partner_id: str) -> dict[str, Any] | None:
    """The member, if it is an employer that has not left."""
    fields = {"name": 1, "type": 1, "active": 1, "desk_code": 1}
    partner: dict[str, Any] | None = await db.partners.find_one({"_id": partner_id}, fields)
    if partner is None or not partner.get("active") or partner.get("type") != PartnerType.EMPLOYER.value:
        return None
    return partner


async def issue_desk_code(work: UnitOfWork, partner_id: str) -> str:
    """Gives the employer a new desk code (its first, or one that replaces the old, which stops working)."""
    work.audit("employer_desk.code_issued", f"partner:{partner_id}")
    partner = await active_employer(work.db, partner_id)
    if partner is None:
        raise NotAnEmployer(partner_id)
    for _ in range(5):  # a collision is very unlikely; a fresh code then
        code = new_desk_code()
        try:
            await work.db.desk_codes.insert_one({"_id": code, "partner": partner_id, "issued_at": datetime.now(UTC)})
            break
        except DuplicateKeyError:
            continue
    else:
        raise RuntimeError("no free desk code after five tries")
    await work.db.partners.update_one({"_id": partner_id}, {"$set": {"desk_code": code}})
    if partner.get("desk_code"):
        await work.db.desk_codes.delete_one({"_id": partner["desk_code"]})
    return code


async def employer_of_code(db: AsyncDatabase[Any], code: str) -> str:
    """The employer (partner id) whose current desk code this is; "" for no code. A malformed, unknown or retired
    code raises DeskCodeRefused with a Dutch message for the form's field."""
    code = normalised(code)
    if not code:
        return ""
    if not well_formed(code):
        raise DeskCodeRefused(
            "8 letters and digits, such as ABCD-2345",
            "Een werkgeverscode heeft 8 tekens (letters en cijfers), zoals ABCD-2345.",
        )
    issued = await db.desk_codes.find_one({"_id": code})
    partner = await active_employer(db, issued["partner"]) if issued else None
    if partner is None or partner.get("desk_code") != code:
        raise DeskCodeRefused(
            "no employer has this desk code (any more)",
            "Deze werkgeverscode kennen we niet (meer). Vraag uw werkgever om de juiste code, of laat het veld leeg.",
        )
    return str(partner["_id"])
