"""Rules of early signalling that need no I/O: what a valid signal is, and who the household is."""

import hashlib
import hmac
import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from plumbing.dates import PastDate
from plumbing.reference import Municipality

POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$")
MAX_ARREARS_CENTS = 10_000_000  # EUR 100,000: larger figures are typing errors, not arrears


class CreditorType(StrEnum):
    RENT = "rent"
    ENERGY = "energy"
    WATER = "water"
    HEALTH_INSURANCE = "health_insurance"
    DEFAULTERS_SCHEME = "defaulters_scheme"  # the CAK: premium arrears of six months and more with the insurer
    MUNICIPAL_TAX = "municipal_tax"
    BANK = "bank"
    EMPLOYER = "employer"
    OTHER = "other"


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    postcode: str = Field(examples=["7607 AB"])
    house_number: int = Field(gt=0, lt=100_000, examples=[12])
    addition: str = Field(default="", max_length=10, examples=["A"])
    street: str = Field(default="", max_length=120)
    city: str = Field(default="", max_length=80)

    @field_validator("postcode")
    @classmethod
    def dutch_postcode(cls, value: str) -> str:
        value = value.upper()
        if not POSTCODE.match(value):
            raise ValueError("must be a Dutch postcode such as 7607 AB")
        return value.replace(" ", "")


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    birth_date: date | None = None
    phone: str = Field(default="", max_length=30)
    email: EmailStr | None = None


class SignalSubmission(BaseModel):
    """One early signal as a creditor sends it."""

    model_config = ConfigDict(extra="forbid")

    creditor_type: CreditorType = Field(description="What the arrears are of; a partner sends only its own kinds.")
    municipality: Municipality = Field(description="CBS gemeentecode where the household lives.", examples=["GM0141"])
    person: Person = Field(description="Who the contract is with; sealed on arrival, never in an event.")
    address: Address = Field(description="Where the household lives; it gives the pseudonym, and is sealed.")
    arrears_cents: Annotated[
        int, Field(gt=0, le=MAX_ARREARS_CENTS, description="Arrears in euro cents", examples=[61500])
    ]
    arrears_since: PastDate = Field(description="Since when the household is in arrears.", examples=["2026-09-01"])
    contract_reference: str = Field(
        min_length=1, max_length=64, description="The creditor's own reference of the contract.", examples=["HUUR-9"]
    )
    eviction_planned: bool = Field(default=False, description="An eviction has been announced: a crisis.")
    disconnection_planned: bool = Field(default=False, description="A disconnection has been announced: a crisis.")

    @property
    def crisis(self) -> bool:
        return self.eviction_planned or self.disconnection_planned


def household_reference(key: bytes, address: Address) -> str:
    """Pseudonymous, stable reference of the household at an address; the key never leaves this service."""
    normalised = f"{address.postcode}|{address.house_number}|{address.addition.upper().replace(' ', '')}"
    digest = hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
    return f"hh-{digest[:24]}"


def postcode_area(postcode: str) -> str:
    return postcode[:4]


AGE_BANDS = ((0, 17, "0-17"), (18, 27, "18-27"), (28, 66, "28-66"), (67, 150, "67+"))


def age_in_years(birth_date: date | None, today: date) -> int | None:
    """A person's age in whole years: what leaves this service of the birth date (for offers with age limits)."""
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def age_band(birth_date: date | None, today: date) -> str | None:
    """A coarse age band, for older consumers and figures."""
    age = age_in_years(birth_date, today)
    if age is None:
        return None
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), None)
