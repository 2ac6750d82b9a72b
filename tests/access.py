"""Access tokens for tests, signed with the service's own key as the signals service would sign them."""

from plumbing.access import SESSION_SECONDS, Principal, Role, Scope, issue_token
from plumbing.reference import municipalities
from plumbing.settings import PlatformSettings

ALL_MUNICIPALITIES = tuple(municipalities())
# the partners tests use, by the start of their id, and the type the member registry would give them
PARTNER_TYPES = {"woonstad": "housing", "vitens": "water", "enexis": "energy", "menzis": "health_insurer"}


def partner_type_of(partner_id: str) -> str:
    return next((kind for prefix, kind in PARTNER_TYPES.items() if partner_id.startswith(prefix)), "")


def staff_headers(
    settings: PlatformSettings,
    role: Role,
    municipalities: tuple[str, ...] = ALL_MUNICIPALITIES,
    organisation: str = "",
    username: str = "",
    second_factor: bool = True,
    region_wide: bool = False,
) -> dict[str, str]:
    """A signed-in member of staff; by default with the second factor, as administrators must have it."""
    principal = Principal(
        kind="staff",
        subject=username or role.value,
        name=username or role.value,
        role=role,
        organisation=organisation,
        municipalities=municipalities,
        region_wide=region_wide,
        session=f"test-{role.value}",
        second_factor=second_factor,
    )
    return {"Authorization": f"Bearer {issue_token(settings, principal, SESSION_SECONDS)}"}


def partner_headers(
    settings: PlatformSettings,
    partner_id: str,
    *scopes: Scope,
    municipalities: tuple[str, ...] = ALL_MUNICIPALITIES,
    partner_type: str = "",
) -> dict[str, str]:
    principal = Principal(
        kind="partner",
        subject=partner_id,
        name=partner_id,
        organisation=partner_id,
        municipalities=municipalities,
        partner_type=partner_type or partner_type_of(partner_id),
        scopes=frozenset(scope.value for scope in scopes),
    )
    return {"Authorization": f"Bearer {issue_token(settings, principal, 900)}"}
