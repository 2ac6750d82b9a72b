"""The register of processing (verwerkingsregister, AVG art. 30), declared in code.

Each service that stores personal data declares it in its `register.py`: every personal field, where it lives
(collection and field), whose it is, why it is kept, on what legal basis and for how long. The service's retention
run erases by the same table (`erased_paths`), so that what the register says and what is enforced cannot drift;
`docs/register.py` renders the tables as docs/verwerkingsregister.md.

A field of a pydantic model is personal when its `Field` is marked with `json_schema_extra=PERSONAL`, or when its
name is one that names a person's data (`PERSONAL_NAMES`), marked or not. A unit test holds every model of the
services to this: a personal field that no register entry lists (and no entry of `NOT_PERSONAL` explains) fails it.
"""

import inspect
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

PERSONAL: dict[str, Any] = {"personal": True}
PERSONAL_NAMES = frozenset(
    {
        "name",
        "person",
        "birth_date",
        "age",
        "age_band",
        "phone",
        "email",
        "address",
        "street",
        "house_number",
        "addition",
        "postcode",
        "city",
        "note",
        "contract_reference",
        "household_ref",
        "bsn",
        "iban",
        "username",
        "password",
    }
)


class Erasure(StrEnum):
    FIELD = "field"  # the field is overwritten with its erased value; the rest of the document stays
    DOCUMENT = "document"  # the whole document goes


@dataclass(frozen=True)
class Term:
    """How long a field is kept, in words with the settings that hold the days as `{placeholders}`; a term
    without placeholders is not enforced by a retention run, and says why."""

    text: str

    @property
    def settings(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.text) if name]

    def render(self, defaults: dict[str, Any]) -> str:
        return self.text.format(**{name: defaults[name] for name in self.settings})


@dataclass(frozen=True)
class PersonalField:
    collection: str  # a MongoDB collection of the service, or `topic:<name>` for the events it publishes
    path: str  # dotted; `[]` stands for every element of a list: `contact_attempts[].note`
    subject: str  # whose data it is
    purpose: str
    legal_basis: str
    term: Term
    models: tuple[str, ...] = ()  # the model fields it is stored from, `Model.field`
    erasure: Erasure = Erasure.FIELD
    erased_value: Any = None
    notes: str = ""


@dataclass(frozen=True)
class Register:
    service: str
    settings: type[BaseModel]
    fields: tuple[PersonalField, ...]
    not_personal: dict[str, str] = field(default_factory=dict)  # `Model.field` named like personal data, and why not

    def erased_by(self, collection: str, term: Term) -> list[PersonalField]:
        return [entry for entry in self.fields if entry.collection == collection and entry.term == term]

    def listed_model_fields(self) -> set[str]:
        return {name for entry in self.fields for name in entry.models}


def erased_paths(entries: Iterable[PersonalField], document: dict[str, Any]) -> dict[str, Any]:
    """The `$set` that erases these fields of one stored document. A list's elements are rewritten whole: the
    document's other fields, and the list's other keys, stay as they are."""
    changes: dict[str, Any] = {}
    for entry in entries:
        if entry.erasure is not Erasure.FIELD:
            continue
        if "[]." not in entry.path:
            changes[entry.path] = entry.erased_value
            continue
        array, key = entry.path.split("[].", 1)
        elements = changes.get(array, _get(document, array))
        if isinstance(elements, list):
            changes[array] = [
                {**element, key: entry.erased_value} if isinstance(element, dict) and key in element else element
                for element in elements
            ]
    return changes


def _get(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def personal_model_fields(models: Iterable[type[BaseModel]]) -> set[str]:
    """`Model.field` of every personal field these models declare themselves (marked, or named like personal
    data); an inherited field counts once, on the model that declares it."""
    found = set()
    for model in models:
        own = inspect.get_annotations(model)
        for name, info in model.model_fields.items():
            if name not in own:
                continue
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("personal") or name in PERSONAL_NAMES:
                found.add(f"{model.__name__}.{name}")
    return found
