"""Dates every service checks alike."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator


def not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError("lies in the future")
    return value


PastDate = Annotated[date, AfterValidator(not_in_future)]
"""A day on which something already happened (today at the latest); a later one is refused naming the field."""
