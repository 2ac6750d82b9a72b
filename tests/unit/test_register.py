"""The register of processing (docs/verwerkingsregister.md) lists every personal field of the services' models,
names only settings and model fields that exist, and is up to date; the retention runs erase by it."""

import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel, Field, create_model
from pydantic_settings import BaseSettings

import services.referrals
import services.reporting
import services.signals
import services.volunteers
from plumbing.register import PERSONAL, Erasure, PersonalField, Register, Term, erased_paths, personal_model_fields
from services.referrals.register import REGISTER as REFERRALS
from services.reporting.register import REGISTER as REPORTING
from services.signals.register import REGISTER as SIGNALS
from services.signals.settings import SignalsSettings
from services.volunteers.register import REGISTER as VOLUNTEERS

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGISTERS = {
    services.signals: SIGNALS,
    services.referrals: REFERRALS,
    services.volunteers: VOLUNTEERS,
    services.reporting: REPORTING,
}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("register_generator", DOCS / "register.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def models_of(package: ModuleType) -> list[type[BaseModel]]:
    """Every pydantic model a service defines (its settings aside)."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseModel) and not issubclass(value, BaseSettings) and value.__module__ == info.name:
                found.append(value)
    return found


@pytest.mark.parametrize("package", list(REGISTERS), ids=lambda package: package.__name__)
def test_every_personal_field_of_the_services_models_is_in_the_register(package: ModuleType) -> None:
    register = REGISTERS[package]
    unlisted = personal_model_fields(models_of(package)) - register.listed_model_fields() - set(register.not_personal)
    assert not unlisted, f"personal fields missing from {package.__name__}.register: {sorted(unlisted)}"


@pytest.mark.parametrize("package", list(REGISTERS), ids=lambda package: package.__name__)
def test_the_register_names_only_model_fields_that_exist(package: ModuleType) -> None:
    register = REGISTERS[package]
    existing = {f"{model.__name__}.{name}" for model in models_of(package) for name in model.model_fields}
    assert register.listed_model_fields() - existing == set()
    assert set(register.not_personal) - existing == set()


@pytest.mark.parametrize("register", list(REGISTERS.values()), ids=lambda register: register.service)
def test_every_term_names_settings_that_exist_and_every_enforced_field_is_erased(register: Register) -> None:
    for entry in register.fields:
        assert set(entry.term.settings) <= set(register.settings.model_fields), entry
        assert entry.purpose and entry.legal_basis and entry.subject, entry


def test_a_model_gaining_a_personal_field_is_caught_by_name_or_by_marker() -> None:
    grown = create_model(
        "Person",
        __base__=services.signals.domain.Person,
        iban=(str, ""),
        nickname=(str, Field(default="", json_schema_extra=PERSONAL)),
        shoe_size=(int, 42),
    )
    unlisted = personal_model_fields([grown]) - SIGNALS.listed_model_fields()
    assert unlisted == {"Person.iban", "Person.nickname"}


def test_the_document_is_generated_from_the_registers_and_up_to_date() -> None:
    generator = load_generator()
    assert (DOCS / "verwerkingsregister.md").read_text() == generator.render(), "run python docs/register.py"
    rendered = generator.render()
    for register in REGISTERS.values():
        for entry in register.fields:
            assert f"| `{entry.collection}` | `{entry.path}` |" in rendered


def test_erasure_overwrites_plain_fields_and_each_element_of_a_list() -> None:
    term = Term("{retention_days_without_help} days")
    entries = [
        PersonalField("cases", "personal", "h", "p", "b", term),
        PersonalField("cases", "contact_attempts[].note", "h", "p", "b", term, erased_value=""),
        PersonalField("cases", "contact_attempts[].worker", "h", "p", "b", term, erased_value=""),
        PersonalField("audit", "who", "s", "p", "b", term, erasure=Erasure.DOCUMENT),
    ]
    document = {
        "personal": "sealed",
        "contact_attempts": [{"kind": "phone", "note": "belde terug", "worker": "anna"}, {"kind": "mail"}],
    }
    assert erased_paths(entries, document) == {
        "personal": None,
        "contact_attempts": [{"kind": "phone", "note": "", "worker": ""}, {"kind": "mail"}],
    }


def test_a_term_renders_with_the_settings_defaults() -> None:
    defaults = {name: info.default for name, info in SignalsSettings.model_fields.items()}
    assert Term("{retention_days_without_help} days after closing").render(defaults) == "183 days after closing"
    assert Term("kept").settings == []
