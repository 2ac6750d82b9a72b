"""Personal data is stored encrypted (AES-256-GCM, application-level): a database dump or backup shows no names,
addresses or phone numbers. The key comes from the settings (`REDZAAM_DATA_KEY`); to rotate it, set a new one and
move the old one to `REDZAAM_PREVIOUS_DATA_KEYS`: what was sealed with an old key can still be opened, and every
new write uses the new key."""

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.signals.settings import SignalsSettings

PREFIX = "sealed:v1"


class CannotOpen(Exception):
    """Sealed with a key this service no longer has, or altered."""


class Sealer:
    def __init__(self, settings: SignalsSettings) -> None:
        secrets = [settings.data_key, *settings.previous_data_keys]
        keys = [hashlib.sha256(secret.get_secret_value().encode()).digest() for secret in secrets]
        self._current = keys[0]
        self._keys = {self.key_id(key): AESGCM(key) for key in keys}

    @staticmethod
    def key_id(key: bytes) -> str:
        return hashlib.sha256(b"key-id:" + key).hexdigest()[:8]

    def seal(self, value: Any) -> str:
        nonce = os.urandom(12)
        key_id = self.key_id(self._current)
        sealed = self._keys[key_id].encrypt(nonce, json.dumps(value).encode(), key_id.encode())
        return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str | None) -> Any:
        """The value sealed in `token`; None stays None (erased after the retention term)."""
        if token is None:
            return None
        prefix, version, key_id, payload = token.split(":", 3)
        if f"{prefix}:{version}" != PREFIX or key_id not in self._keys:
            raise CannotOpen(f"sealed with unknown key {key_id}")
        raw = base64.b64decode(payload)
        try:
            return json.loads(self._keys[key_id].decrypt(raw[:12], raw[12:], key_id.encode()))
        except InvalidTag as error:
            raise CannotOpen("altered or sealed with another key") from error
