from typing import ClassVar

from plumbing.settings import PlatformSettings


class VolunteersSettings(PlatformSettings):
    service_name: ClassVar[str] = "volunteers"
