import json
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, Field

from plumbing.events import CloudEvent, InvalidEvent, decode, encode, new_event


class Thing(BaseModel):
    household_ref: str
    amount_cents: int = Field(gt=0)


def test_new_event_is_a_cloudevent_keyed_by_its_subject() -> None:
    household = f"hh-{uuid.uuid4().hex[:8]}"
    event = new_event(
        type="nl.redzaam.test.happened",
        source="/tests",
        subject=household,
        data=Thing(household_ref=household, amount_cents=5),
    )
    document = json.loads(encode(event))
    assert document["specversion"] == "1.0"
    assert document["subject"] == household
    assert document["datacontenttype"] == "application/json"
    assert {"id", "source", "type", "time", "data"} <= document.keys()
    assert decode(encode(event)) == event


def test_every_event_gets_its_own_id() -> None:
    first, second = (
        new_event(type="t", source="/s", subject="x", data=Thing(household_ref="x", amount_cents=1)) for _ in range(2)
    )
    assert first.id != second.id


def test_undecodable_value_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvent, match="not JSON"):
        decode(b"\xff not json")
    with pytest.raises(InvalidEvent, match="no value"):
        decode(None)


def test_envelope_error_names_the_missing_fields() -> None:
    with pytest.raises(InvalidEvent) as error:
        decode(json.dumps({"specversion": "1.0", "type": "t", "data": {}}).encode())
    for field in ("id", "source", "subject", "time"):
        assert field in str(error.value)


def test_data_error_names_the_field_at_fault() -> None:
    event = CloudEvent(
        id="1",
        source="/s",
        type="t",
        subject="x",
        time=datetime.now(UTC),
        data={"household_ref": "x", "amount_cents": -3},
    )
    with pytest.raises(InvalidEvent, match="amount_cents"):
        event.data_as(Thing)


def test_unknown_data_fields_are_tolerated_by_a_tolerant_reader() -> None:
    event = CloudEvent(
        id="1",
        source="/s",
        type="t",
        subject="x",
        time=datetime.now(UTC),
        data={"household_ref": "x", "amount_cents": 3, "added_later": True},
    )
    assert event.data_as(Thing).amount_cents == 3
