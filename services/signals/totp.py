"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the second factor staff can
add and administrators must. Works with any authenticator app."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, at: float) -> str:
    counter = int(at // STEP_SECONDS)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def verify(secret: str, code: str, at: float | None = None) -> bool:
    """The code of this step or the one before or after it (clocks drift)."""
    at = time.time() if at is None else at
    code = code.strip().replace(" ", "")
    return any(hmac.compare_digest(code_at(secret, at + drift * STEP_SECONDS), code) for drift in (-1, 0, 1))


def provisioning_uri(secret: str, username: str) -> str:
    return (
        f"otpauth://totp/Redzaam:{quote(username)}?secret={secret}&issuer=Redzaam&digits={DIGITS}&period={STEP_SECONDS}"
    )
