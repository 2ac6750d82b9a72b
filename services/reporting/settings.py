from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import Field

from plumbing.settings import PlatformSettings
from plumbing.web import settings_of
from services.reporting.targets import DEFAULT_TARGETS, Target


class ReportingSettings(PlatformSettings):
    service_name: ClassVar[str] = "reporting"

    targets: list[Target] = Field(
        default_factory=lambda: list(DEFAULT_TARGETS),
        description="Programme targets as JSON; defaults from the seed plans.",
    )
    suppress_below: int = Field(default=5, ge=1, description="Counts below this are hidden in external exports.")


SettingsDep = Annotated[ReportingSettings, Depends(settings_of(ReportingSettings))]
