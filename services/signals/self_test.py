"""The residents' self-test ("Hulp vragen") and their help request: what they answered, the advice it gives and
what a request must hold. No I/O: the advice is a pure function of the answers.

In the spirit of Geldfit and the Nederlandse Schuldhulproute: a few questions on income, arrears and worries, and
at once the help that fits: self-help, a volunteer (a debt buddy or help with the paperwork at home), or the
municipality's debt help; at once and with a short term when an eviction or a disconnection has been announced.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from plumbing.reference import Municipality
from services.signals.domain import POSTCODE

EMPLOYER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,14}[A-Z0-9]$")


class Income(StrEnum):
    ENOUGH = "enough"
    TIGHT = "tight"
    SHORT = "short"
    NONE = "none"


class Arrear(StrEnum):
    RENT = "rent"
    ENERGY = "energy"
    WATER = "water"
    HEALTH_INSURANCE = "health_insurance"
    MUNICIPAL_TAX = "municipal_tax"
    TAX_OFFICE = "tax_office"
    LOANS = "loans"
    PHONE = "phone"
    FINES = "fines"
    OTHER = "other"


class Worry(StrEnum):
    EVICTION = "eviction"
    DISCONNECTION = "disconnection"
    BAILIFF = "bailiff"
    SLEEP = "sleep"


class ContactBy(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"


class Advice(StrEnum):
    SELF_HELP = "self_help"
    VOLUNTEER = "volunteer"
    MUNICIPALITY = "municipality"
    URGENT = "urgent"


INCOMES = {
    Income.ENOUGH: "Ik kom meestal rond",
    Income.TIGHT: "Het is krap, soms kom ik tekort",
    Income.SHORT: "Ik kom bijna elke maand tekort",
    Income.NONE: "Ik heb op dit moment geen vast inkomen",
}
ARREARS = {
    Arrear.RENT: "Huur of hypotheek",
    Arrear.ENERGY: "Energie",
    Arrear.WATER: "Drinkwater",
    Arrear.HEALTH_INSURANCE: "Zorgverzekering",
    Arrear.MUNICIPAL_TAX: "Gemeentelijke belastingen",
    Arrear.TAX_OFFICE: "Belastingdienst of toeslagen terugbetalen",
    Arrear.LOANS: "Lening, creditcard of achteraf betalen",
    Arrear.PHONE: "Telefoon of internet",
    Arrear.FINES: "Boetes (CJIB)",
    Arrear.OTHER: "Iets anders",
}
WORRIES = {
    Worry.EVICTION: "Ik heb een brief over ontruiming of huisuitzetting gekregen",
    Worry.DISCONNECTION: "Mijn energie of water wordt afgesloten (aangekondigd)",
    Worry.BAILIFF: "Er is een deurwaarder of beslag op mijn loon of uitkering",
    Worry.SLEEP: "Ik lig wakker van geldzorgen",
}
CONTACT_CHOICES = {ContactBy.PHONE: "Bellen", ContactBy.EMAIL: "E-mail", ContactBy.LETTER: "Brief"}
CRISIS_WORRIES = frozenset({Worry.EVICTION, Worry.DISCONNECTION})
MANY_ARREARS = 2  # arrears with two creditors or more: the municipality's debt help, not a volunteer alone


class SelfTest(BaseModel):
    """The resident's answers."""

    model_config = ConfigDict(extra="forbid")

    income: Income = Field(description="How the household gets by on its income.")
    arrears: list[Arrear] = Field(default_factory=list, max_length=len(Arrear), description="What is in arrears.")
    worries: list[Worry] = Field(default_factory=list, max_length=len(Worry), description="What worries them now.")
    municipality: Municipality = Field(description="Where they live: CBS gemeentecode of the region.")

    @property
    def crisis(self) -> bool:
        """An announced eviction or disconnection: the municipality reaches out within the crisis term."""
        return bool(CRISIS_WORRIES & set(self.worries))


@dataclass(frozen=True)
class AdviceText:
    advice: Advice
    title: str
    paragraphs: tuple[str, ...]
    help_from: str  # who helps, for the confirmation


SELF_HELP_TIPS = (
    "Maak een overzicht van uw vaste lasten en inkomsten per maand; het Nibud heeft daar gratis hulpmiddelen voor.",
    "Kijk of u recht heeft op toeslagen of een tegemoetkoming van de gemeente (bijzondere bijstand, "
    "kwijtschelding van gemeentelijke belastingen).",
    "Betaal eerst de vaste lasten die het zwaarst wegen: huur, energie, water en de zorgverzekering.",
)


def advise(test: SelfTest) -> AdviceText:
    """The advice that fits the answers, in Dutch."""
    worries, arrears = set(test.worries), set(test.arrears)
    if test.crisis:
        return AdviceText(
            Advice.URGENT,
            "Neem nu contact op: er is haast",
            (
                "Een aangekondigde ontruiming of afsluiting kan vaak nog worden voorkomen, maar alleen als er snel "
                "iets gebeurt. Vraag hieronder hulp aan: de gemeente neemt dan binnen drie werkdagen contact met u op.",
                "Bel ook zelf de partij die de brief stuurde (verhuurder, energie- of waterbedrijf) en zeg dat u hulp "
                "heeft gevraagd bij de gemeente. Vaak wordt er dan gewacht.",
            ),
            "de schuldhulp van uw gemeente",
        )
    if (
        len(arrears) >= MANY_ARREARS
        or Worry.BAILIFF in worries
        or (arrears and test.income in (Income.SHORT, Income.NONE))
    ):
        return AdviceText(
            Advice.MUNICIPALITY,
            "De schuldhulp van uw gemeente kan u helpen",
            (
                "U heeft achterstanden die samen zwaar kunnen worden. De gemeente helpt gratis: samen met u maakt "
                "een schuldhulpverlener een overzicht, zoekt een oplossing met de schuldeisers en kijkt of u recht "
                "heeft op regelingen.",
                "Vraag hieronder hulp aan; de gemeente neemt contact met u op.",
            ),
            "de schuldhulp van uw gemeente",
        )
    if arrears or test.income in (Income.TIGHT, Income.SHORT, Income.NONE) or Worry.SLEEP in worries:
        return AdviceText(
            Advice.VOLUNTEER,
            "Een vrijwilliger kan met u meekijken",
            (
                "Een schuldhulpmaatje of een vrijwilliger voor de thuisadministratie helpt u om overzicht te krijgen "
                "in post, rekeningen en betalingen, en om achterstanden aan te pakken voordat ze groeien.",
                "Vraag hieronder hulp aan: de gemeente neemt contact met u op en koppelt u aan een vrijwilliger.",
                *SELF_HELP_TIPS[:1],
            ),
            "de gemeente, met een vrijwilliger",
        )
    return AdviceText(
        Advice.SELF_HELP,
        "U lijkt het goed op orde te hebben",
        (
            "Fijn dat u er zo voor staat. Met een paar tips houdt u het overzicht:",
            *SELF_HELP_TIPS,
            "Twijfelt u toch, of verandert er iets? U kunt hieronder altijd hulp aanvragen.",
        ),
        "de gemeente",
    )


class HelpRequestCreate(BaseModel):
    """A resident's help request after the self-test: sent only with their consent, sealed on arrival."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    test: SelfTest = Field(description="The answers of the self-test.")
    consent: bool = Field(description="The resident agrees that the municipality keeps these data and contacts them.")
    name: str = Field(min_length=1, max_length=200, description="Who asks for help.")
    contact_by: ContactBy = Field(description="How they want to be contacted: phone, e-mail or letter.")
    phone: str = Field(default="", max_length=30, pattern=r"^$|^\+?[0-9 ()-]{8,20}$", validate_default=True)
    email: EmailStr | None = Field(default=None, validate_default=True)
    postcode: str = Field(examples=["7607 AB"])
    house_number: int = Field(gt=0, lt=100_000, examples=[12])
    addition: str = Field(default="", max_length=10, pattern=r"^[A-Za-z0-9 -]*$")
    street: str = Field(default="", max_length=120, validate_default=True)
    city: str = Field(default="", max_length=80, validate_default=True)
    employer_code: str | None = Field(
        default=None,
        description="A short code an employer partner gave the resident (employer desk); checked for shape only.",
        examples=["WG-ALM-4821"],
    )
    confirmation_email: bool = Field(
        default=False, validate_default=True, description="Send a confirmation to the e-mail address given."
    )

    @field_validator("consent")
    @classmethod
    def consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the resident must agree before anything is stored")
        return value

    @field_validator("postcode")
    @classmethod
    def dutch_postcode(cls, value: str) -> str:
        value = value.upper()
        if not POSTCODE.match(value):
            raise ValueError("must be a Dutch postcode such as 7607 AB")
        return value.replace(" ", "")

    @field_validator("phone", "email", "street", "city")
    @classmethod
    def needed_for_contact(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The field the chosen way of contact needs is filled in (a letter needs street and city)."""
        needed = {"phone": ContactBy.PHONE, "email": ContactBy.EMAIL}.get(str(info.field_name), ContactBy.LETTER)
        if info.data.get("contact_by") is needed and not value:
            raise ValueError(f"needed to be contacted by {needed.value}")
        return value

    @field_validator("confirmation_email")
    @classmethod
    def confirmation_needs_email(cls, value: bool, info: ValidationInfo) -> bool:
        if value and "email" in info.data and info.data["email"] is None:
            raise ValueError("a confirmation by e-mail needs an e-mail address")
        return value

    @field_validator("employer_code", mode="before")
    @classmethod
    def employer_code_shape(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            code = value.strip().upper()
            if not EMPLOYER_CODE.match(code):
                raise ValueError("4 to 16 letters, digits or dashes, such as WG-ALM-4821")
            return code
        return value

    @property
    def crisis(self) -> bool:
        return self.test.crisis
