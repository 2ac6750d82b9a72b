from typing import ClassVar

from pydantic import Field

from plumbing.settings import PlatformSettings


class VolunteersSettings(PlatformSettings):
    service_name: ClassVar[str] = "volunteers"

    manual_assignment_municipalities: list[str] = Field(
        default_factory=list,
        description="Gemeentecodes where a coordinator confirms each assignment; elsewhere the best candidate is "
        "assigned at once.",
    )

    def auto_assigns(self, municipality: str) -> bool:
        return municipality not in self.manual_assignment_municipalities
