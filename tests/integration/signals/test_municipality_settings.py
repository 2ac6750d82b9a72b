"""The settings store per municipality: defaults until changed, a change read back at once, audited, guarded."""

import pytest

from plumbing.unit_of_work import Actor, UnitOfWork
from services.signals.municipality_settings import (
    QueueWeights,
    VersionConflict,
    change_settings,
    setting_for,
    settings_for,
)
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration


async def test_settings_are_the_defaults_until_changed_and_a_change_applies_at_once(signals: Signals) -> None:
    assert (await setting_for(signals.db, signals.settings, "GM0141")).queue_weights is None
    weights = QueueWeights(crisis=50, creditors=10, amount=1, age=2)
    async with UnitOfWork(signals.db, None, Actor(who="beheerder")) as work:
        changed = await change_settings(work, signals.settings, "GM0141", {"queue_weights": weights}, 0)
    assert changed.version == 1
    both = await settings_for(signals.db, signals.settings, ["GM0141", "GM0153"])
    assert both["GM0141"].queue_weights == weights
    assert both["GM0153"].queue_weights is None and both["GM0153"].version == 0
    entry = await signals.db.audit.find_one({"record": "municipality:GM0141"})
    assert entry is not None
    assert (entry["who"], entry["action"], entry["reason"]) == (
        "beheerder",
        "municipality_settings.changed",
        "queue_weights",
    )


async def test_a_change_from_an_old_version_is_refused(signals: Signals) -> None:
    async with UnitOfWork(signals.db, None) as work:
        await change_settings(work, signals.settings, "GM0141", {"queue_weights": QueueWeights(crisis=1)}, 0)
    with pytest.raises(VersionConflict):
        async with UnitOfWork(signals.db, None) as work:
            await change_settings(work, signals.settings, "GM0141", {"queue_weights": None}, 0)
    back = await setting_for(signals.db, signals.settings, "GM0141")
    assert back.queue_weights == QueueWeights(crisis=1)
    async with UnitOfWork(signals.db, None) as work:
        again = await change_settings(work, signals.settings, "GM0141", {"queue_weights": None}, 1)
    assert again.queue_weights is None and again.version == 2
