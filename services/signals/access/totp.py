"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the second factor staff can
add and administrators must. Works with any authenticator app; the arithmetic is pyotp's."""

import time

import pyotp

STEP_SECONDS = 30
DIGITS = 6
ISSUER = "Redzaam"


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS, issuer=ISSUER)


def code_at(secret: str, at: float) -> str:
    return _totp(secret).at(at)


def verify(secret: str, code: str, at: float | None = None) -> bool:
    """The code of this step or the one before or after it (clocks drift)."""
    at = time.time() if at is None else at
    return _totp(secret).verify(code.strip().replace(" ", ""), for_time=at, valid_window=1)


def provisioning_uri(secret: str, username: str) -> str:
    return _totp(secret).provisioning_uri(name=username, issuer_name=ISSUER)
