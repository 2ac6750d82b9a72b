"""Every field of every event a service publishes (or a partner publishes to it) says what it is, with an example,
so that the AsyncAPI document tells a partner's developer what to expect."""

import importlib
import inspect
from datetime import date

import pytest
from pydantic import BaseModel

SERVICES = ("signals", "referrals", "volunteers", "reporting")


def event_models() -> list[type[BaseModel]]:
    models = []
    for service in SERVICES:
        for name in ("events", "intake_events"):
            try:
                module = importlib.import_module(f"services.{service}.{name}")
            except ModuleNotFoundError:
                continue
            models += [
                value
                for _, value in inspect.getmembers(module, inspect.isclass)
                if issubclass(value, BaseModel) and value.__module__ == module.__name__
            ]
    return models


@pytest.mark.parametrize("model", event_models(), ids=lambda model: model.__name__)
def test_every_event_field_is_described_with_an_example(model: type[BaseModel]) -> None:
    undescribed = [name for name, info in model.model_fields.items() if not info.description]
    assert not undescribed, f"{model.__name__}: fields without a description: {undescribed}"
    plain = (str, int, date, str | None, int | None)
    without_example = [
        name for name, info in model.model_fields.items() if info.annotation in plain and not info.examples
    ]
    assert not without_example, f"{model.__name__}: fields without an example: {without_example}"
