"""Access tokens for tests, signed with the service's own key as the signals service would sign them."""

from plumbing.access import SESSION_SECONDS, Principal, Role, Scope, issue_token
from plumbing.reference import MUNICIPALITIES
from plumbing.settings import PlatformSettings

ALL_MUNICIPALITIES = tuple(MUNICIPALITIES)


def staff_headers(
    settings: PlatformSettings,
    role: Role,
    municipalities: tuple[str, ...] = ALL_MUNICIPALITIES,
    organisation: str = "",
    username: str = "",
    second_factor: bool = True,
) -> dict[str, str]:
    """A signed-in member of staff; by default with the second factor, as administrators must have it."""
    principal = Principal(
        kind="staff",
        subject=username or role.value,
        name=username or role.value,
        role=role,
        organisation=organisation,
        municipalities=municipalities,
        session=f"test-{role.value}",
        second_factor=second_factor,
    )
    return {"Authorization": f"Bearer {issue_token(settings, principal, SESSION_SECONDS)}"}


def partner_headers(
    settings: PlatformSettings,
    partner_id: str,
    *scopes: Scope,
    municipalities: tuple[str, ...] = ALL_MUNICIPALITIES,
) -> dict[str, str]:
    principal = Principal(
        kind="partner",
        subject=partner_id,
        name=partner_id,
        organisation=partner_id,
        municipalities=municipalities,
        scopes=frozenset(scope.value for scope in scopes),
    )
    return {"Authorization": f"Bearer {issue_token(settings, principal, 900)}"}
