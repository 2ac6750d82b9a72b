from typing import ClassVar

from plumbing.settings import PlatformSettings


class ReportingSettings(PlatformSettings):
    service_name: ClassVar[str] = "reporting"
