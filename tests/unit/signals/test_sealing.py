import pytest

from services.signals.sealing import CannotOpen, Sealer
from services.signals.settings import SignalsSettings

PERSONAL = {"person": {"name": "J. Jansen", "phone": "0612345678"}, "address": {"postcode": "7607AB"}}


def settings(key: str, *previous: str) -> SignalsSettings:
    return SignalsSettings(pseudonym_key="unit-pseudonym-key-0123456789", data_key=key, previous_data_keys=previous)


def test_sealed_personal_data_shows_nothing_and_opens_to_what_went_in() -> None:
    sealer = Sealer(settings("unit-data-key-aaaaaaaaaaaa"))
    sealed = sealer.seal(PERSONAL)
    assert "Jansen" not in sealed and "0612345678" not in sealed and "7607" not in sealed
    assert sealer.seal(PERSONAL) != sealed  # a fresh nonce each time
    assert sealer.open(sealed) == PERSONAL
    assert sealer.open(None) is None


def test_after_a_rotation_old_data_opens_and_new_data_uses_the_new_key() -> None:
    old = Sealer(settings("unit-data-key-aaaaaaaaaaaa")).seal(PERSONAL)
    rotated = Sealer(settings("unit-data-key-bbbbbbbbbbbb", "unit-data-key-aaaaaaaaaaaa"))
    assert rotated.open(old) == PERSONAL
    fresh = rotated.seal(PERSONAL)
    assert fresh.split(":")[2] != old.split(":")[2]  # another key id
    with pytest.raises(CannotOpen, match="unknown key"):
        Sealer(settings("unit-data-key-aaaaaaaaaaaa")).open(fresh)


def test_altered_sealed_data_is_refused() -> None:
    sealer = Sealer(settings("unit-data-key-aaaaaaaaaaaa"))
    sealed = sealer.seal(PERSONAL)
    head, payload = sealed.rsplit(":", 1)
    altered = head + ":" + ("A" if payload[0] != "A" else "B") + payload[1:]
    with pytest.raises(CannotOpen, match="altered"):
        sealer.open(altered)
