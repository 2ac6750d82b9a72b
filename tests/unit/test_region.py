"""The region's municipalities are data, and every code that enters from outside is checked against them."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from plumbing import reference
from plumbing.reference import load_region, municipalities, municipality_name
from plumbing.settings import PlatformSettings
from services.referrals.domain import MatchRequest, OfferCreate
from services.signals.access.accounts import AccountCreate
from services.signals.access.partners import PartnerCreate
from services.signals.domain import SignalSubmission
from services.signals.evictions import EvictionReport
from services.signals.settings import SignalsSettings
from services.volunteers.domain import SignUp, VolunteerCreate
from services.volunteers.requests import LessonRequest
from services.volunteers.settings import VolunteersSettings
from tests.factories import signal_body

ADDRESS = {"postcode": "7607 AB", "house_number": 1}
UNKNOWN = "GM9999"  # the shape of a CBS code, but no municipality of the region (nor of the country)
BODIES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (SignalSubmission, signal_body(municipality=UNKNOWN), "municipality"),
    (
        EvictionReport,
        {"municipality": UNKNOWN, "address": ADDRESS, "outcome": "prevented", "on": "2026-01-05"},
        "municipality",
    ),
    (
        PartnerCreate,
        {"id": "bank", "name": "Bank", "type": "bank", "municipalities": ["GM0141", UNKNOWN]},
        "municipalities",
    ),
    (
        AccountCreate,
        {
            "username": "piet",
            "name": "Piet",
            "role": "outreach_worker",
            "municipalities": [UNKNOWN],
            "password": "x" * 12,
        },
        "municipalities",
    ),
    (
        VolunteerCreate,
        {"id": "vw-1", "name": "An", "roles": ["budget_coach"], "municipalities": [UNKNOWN]},
        "municipalities",
    ),
    (
        SignUp,
        {"name": "An", "email": "an@example.org", "roles": ["debt_buddy"], "municipalities": [UNKNOWN]},
        "municipalities",
    ),
    (
        LessonRequest,
        {"school": "ROC", "municipality": UNKNOWN, "lesson_date": "2026-03-02", "group_size": 20},
        "municipality",
    ),
    (
        OfferCreate,
        {
            "id": "schuldhulp",
            "name": "S",
            "organisation": "O",
            "phase": "curative",
            "municipalities": [UNKNOWN],
            "capacity_available": 1,
            "capacity_maximum": 1,
        },
        "municipalities",
    ),
    (MatchRequest, {"municipality": UNKNOWN, "needs": ["debt_help"]}, "municipality"),
]


@pytest.mark.parametrize(("model", "body", "field"), BODIES, ids=[model.__name__ for model, _, _ in BODIES])
def test_a_code_that_is_no_municipality_of_the_region_is_refused_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    (problem,) = refused.value.errors()
    assert problem["loc"][0] == field
    assert problem["msg"] == f"{UNKNOWN} is not a municipality of the region"


@pytest.fixture
def other_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "region.toml"
    path.write_text('[municipalities]\nGM0034 = "Almere"\nGM0141 = "Almelo"\n', encoding="utf-8")
    monkeypatch.setenv("REDZAAM_REGION_FILE", str(path))
    municipalities.cache_clear()
    yield path
    monkeypatch.delenv("REDZAAM_REGION_FILE")
    municipalities.cache_clear()


def test_the_region_is_the_data_file_the_setting_names(other_region: Path) -> None:
    assert municipalities() == {"GM0034": "Almere", "GM0141": "Almelo"}
    assert MatchRequest.model_validate({"municipality": "GM0034", "needs": ["debt_help"]}).municipality == "GM0034"
    with pytest.raises(ValidationError, match="GM0150 is not a municipality of the region"):
        MatchRequest.model_validate({"municipality": "GM0150", "needs": ["debt_help"]})
    assert PlatformSettings(dev_mode=True).region_file == other_region


def test_the_default_region_lists_its_seven_municipalities_by_name() -> None:
    assert reference.region_file() == reference.DEFAULT_REGION_FILE
    assert len(municipalities()) == 7 and municipality_name("GM0150") == "Deventer"
    assert municipality_name("GM0363") == "GM0363"  # no longer listed: the page shows the code rather than nothing


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "needs a [municipalities] table"),
        ('[municipalities]\nGM141 = "Almelo"\n', "not a CBS gemeentecode with a name: GM141"),
        ('[municipalities]\nGM0141 = ""\n', "not a CBS gemeentecode with a name: GM0141"),
        ("[municipalities\n", "not a readable region file"),
    ],
)
def test_a_region_file_that_is_not_one_is_refused_clearly(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "region.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(problem)):
        load_region(path)


def test_a_region_file_setting_other_than_the_one_in_use_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="region_file"):
        PlatformSettings(dev_mode=True, region_file=tmp_path / "elsewhere.toml")


def test_settings_that_name_municipalities_refuse_a_code_outside_the_region() -> None:
    keys = {"pseudonym_key": "p" * 20, "data_key": "d" * 20}
    with pytest.raises(ValidationError, match=re.escape("threshold_cents.GM9999")):
        SignalsSettings(dev_mode=True, threshold_cents={UNKNOWN: 10_000}, **keys)
    with pytest.raises(ValidationError, match=re.escape("manual_assignment_municipalities.0")):
        VolunteersSettings(dev_mode=True, manual_assignment_municipalities=[UNKNOWN])
    assert SignalsSettings(dev_mode=True, term_working_days={"GM0150": 5}, **keys).term_working_days == {"GM0150": 5}
