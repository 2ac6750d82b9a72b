"""The administrator's pages for the signals service's settings per municipality: /beheer/gemeenten."""

from fastapi import Request

from plumbing.municipality_settings import MunicipalitySettingsStore
from plumbing.municipality_settings_pages import SettingField, settings_pages
from services.signals.municipality_settings import MunicipalitySettings, store

FIELDS = (
    SettingField(
        "threshold_cents",
        "drempel",
        "Drempel",
        "Vanaf dit bedrag aan achterstanden (alle schuldeisers samen) wordt een casus opgepakt; daaronder alleen "
        "geregistreerd. Geldt voor signalen die na de wijziging binnenkomen: een geregistreerde casus wordt bij "
        "zijn volgende signaal met de nieuwe drempel gewogen.",
        kind="amount",
    ),
    SettingField(
        "term_working_days",
        "termijn",
        "Termijn voor contact",
        "Werkdagen om contact te leggen met een huishouden zonder crisis, vanaf de dag dat de casus opengaat "
        "(1 tot en met 60). Geldt voor casussen die na de wijziging opengaan: open casussen houden hun uiterste "
        "datum.",
        unit="werkdagen",
    ),
)


def _store(request: Request) -> MunicipalitySettingsStore[MunicipalitySettings]:
    return store(request.app.state.runtime.db, request.app.state.settings)


router = settings_pages(
    store_of=_store,
    fields=FIELDS,
    explanation="Per gemeente de drempel en de termijn voor contact. Een wijziging geldt direct, zonder herstart, "
    "en wordt vastgelegd in het auditlog met de oude en de nieuwe waarde.",
)
