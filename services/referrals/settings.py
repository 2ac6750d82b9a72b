from typing import ClassVar

from plumbing.settings import PlatformSettings


class ReferralsSettings(PlatformSettings):
    service_name: ClassVar[str] = "referrals"
