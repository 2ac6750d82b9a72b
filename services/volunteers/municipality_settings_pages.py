"""The administrator's page for the volunteers service's settings per municipality: /beheer/gemeenten."""

from fastapi import Request

from plumbing.municipality_settings import MunicipalitySettingsStore
from plumbing.municipality_settings_pages import SettingField, settings_pages
from services.volunteers.municipality_settings import MunicipalitySettings, store

FIELDS = (
    SettingField(
        "manual_assignment",
        "toewijzen",
        "Vrijwilligers toewijzen",
        "Handmatig: een coördinator kiest en bevestigt elke koppeling. Automatisch: de best passende vrijwilliger "
        "wordt direct gekoppeld. Geldt voor verzoeken die na de wijziging binnenkomen; wachtende verzoeken worden "
        "gekoppeld zodra er in de gemeente een vrijwilliger vrij komt, of door een coördinator.",
        kind="choice",
        choices=((True, "Handmatig"), (False, "Automatisch")),
    ),
)


def _store(request: Request) -> MunicipalitySettingsStore[MunicipalitySettings]:
    return store(request.app.state.runtime.db, request.app.state.settings)


router = settings_pages(
    store_of=_store,
    fields=FIELDS,
    explanation="Per gemeente: kiest een coördinator elke vrijwilliger zelf, of koppelt Redzaam de best passende "
    "direct? Een wijziging geldt direct, zonder herstart, en wordt vastgelegd in het auditlog met de oude en de "
    "nieuwe waarde.",
)
