"""Who may call: the staff roles, the scopes of partner systems, and the caller itself (Principal). Plain values, no
I/O and no web framework, so that the rules of every service can name them; plumbing.access checks tokens with them."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    OUTREACH_WORKER = "outreach_worker"
    DEBT_SPECIALIST = "debt_specialist"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator"
    PARTNER_EMPLOYEE = "partner_employee"
    PROGRAMME_LEAD = "programme_lead"
    ADMINISTRATOR = "administrator"
    EMPLOYER_HR = "employer_hr"  # an employer member's HR contact: only that employer's desk


ROLE_LABELS = {
    Role.OUTREACH_WORKER: "Outreachmedewerker",
    Role.DEBT_SPECIALIST: "Schuldhulpverlener",
    Role.VOLUNTEER_COORDINATOR: "Vrijwilligerscoördinator",
    Role.PARTNER_EMPLOYEE: "Medewerker partnerorganisatie",
    Role.PROGRAMME_LEAD: "Programmaleider",
    Role.ADMINISTRATOR: "Beheerder",
    Role.EMPLOYER_HR: "HR-contactpersoon werkgever",
}
CASEWORKERS = (Role.OUTREACH_WORKER, Role.DEBT_SPECIALIST)
# the roles that work in the cooperative's own pages; an employer's HR contact sees only its desk, not the region's
# unsuppressed figures
COOPERATIVE_ROLES = tuple(role for role in Role if role is not Role.EMPLOYER_HR)


class Scope(StrEnum):
    """What a partner system may do; the registry derives them from the partner's type."""

    SUBMIT_SIGNALS = "signals:submit"
    REPORT_EVICTIONS = "evictions:report"
    HANDLE_REFERRALS = "referrals:handle"
    REQUEST_LESSONS = "lessons:request"


@dataclass(frozen=True)
class Principal:
    """The caller: a partner system (`kind` partner) or a signed-in member of staff (`kind` staff)."""

    kind: str
    subject: str
    name: str = ""
    role: Role | None = None
    organisation: str = ""
    municipalities: tuple[str, ...] = ()
    region_wide: bool = False  # staff who work for the whole region: serve every municipality
    partner_type: str = ""  # a partner system's kind of organisation (the member registry's type)
    scopes: frozenset[str] = field(default_factory=frozenset)
    session: str = ""
    second_factor: bool = False
    issued_at: int = 0  # when its token was issued (epoch seconds): a revocation ends tokens issued until then

    def serves(self, municipality: str) -> bool:
        return self.region_wide or municipality in self.municipalities

    def served_only(self, field: str = "municipality") -> dict[str, Any]:
        """A MongoDB query selecting the records whose `field` (a code or a list of codes) names a municipality this
        principal serves; empty (everything) when region-wide."""
        return {} if self.region_wide else {field: {"$in": list(self.municipalities)}}

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"
