"""CloudEvents 1.0 envelope (structured JSON mode) with pydantic-validated data."""

import builtins
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DataModel = TypeVar("DataModel", bound=BaseModel)


class InvalidEvent(Exception):
    """A record that is not a CloudEvent, or whose data does not fit the model: retrying cannot help."""


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope. `subject` is the aggregate reference and doubles as the Kafka key."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, description="Unique per event; consumers deduplicate on it.")
    source: str = Field(min_length=1, description="URI reference of the producing service or partner.")
    type: str = Field(min_length=1, examples=["nl.redzaam.signal.raised"])
    subject: str = Field(min_length=1, description="Aggregate reference, such as a pseudonymous household.")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    def data_as(self, model: builtins.type[DataModel]) -> DataModel:
        try:
            return model.model_validate(self.data)
        except ValidationError as error:
            raise InvalidEvent(f"{self.type} data: {describe_validation_error(error)}") from error


def new_event(*, type: str, source: str, subject: str, data: BaseModel, time: datetime | None = None) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=time or datetime.now(UTC),
        data=data.model_dump(mode="json"),
    )


def encode(event: CloudEvent) -> bytes:
    return event.model_dump_json().encode()


def decode(raw: bytes | None) -> CloudEvent:
    if raw is None:
        raise InvalidEvent("record has no value")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidEvent(f"value is not JSON: {error}") from error
    try:
        return CloudEvent.model_validate(document)
    except ValidationError as error:
        raise InvalidEvent(f"not a CloudEvent: {describe_validation_error(error)}") from error


def describe_validation_error(error: ValidationError) -> str:
    """One line naming every field at fault, e.g. `data.amount_cents: Input should be greater than 0`."""
    parts = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(root)"
        parts.append(f"{location}: {problem['msg']}")
    return "; ".join(parts)
