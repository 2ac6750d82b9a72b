"""Test data shared by unit, integration and end-to-end tests."""

from typing import Any


def signal_body(**changes: Any) -> dict[str, Any]:
    """A valid early signal as a creditor sends it; keyword arguments replace top-level fields."""
    body: dict[str, Any] = {
        "creditor_type": "rent",
        "municipality": "GM0141",
        "person": {"name": "J. Jansen", "phone": "0612345678"},
        "address": {"postcode": "7607 AB", "house_number": 12, "street": "Grotestraat", "city": "Almelo"},
        "arrears_cents": 45_000,
        "arrears_since": "2026-09-01",
        "contract_reference": "HUUR-1",
    }
    body.update(changes)
    return body
