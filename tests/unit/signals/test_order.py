"""Why a case stands where it does, and the orders of the queue: rules without I/O."""

from datetime import UTC, datetime, timedelta

from services.signals.casework import QUEUE_ORDER
from services.signals.municipality_settings import QueueWeights
from services.signals.order import euro_whole, priority, sorted_by, why

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def case(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "crisis": True,
        "creditor_count": 3,
        "total_arrears_cents": 124_050,
        "first_signal_at": NOW - timedelta(days=12, hours=3),
    }
    return {**base, **changes}


def test_why_names_crisis_creditors_amount_and_age() -> None:
    assert why(case(), NOW) == "Crisis · 3 schuldeisers · EUR 1.240 · 12 dagen oud"
    assert why(case(crisis=False, creditor_count=1, first_signal_at=NOW - timedelta(days=1)), NOW) == (
        "1 schuldeiser · EUR 1.240 · 1 dag oud"
    )


def test_the_priority_is_each_factor_times_its_weight_and_shows_rounded() -> None:
    weights = QueueWeights(crisis=50, creditors=10, amount=2, age=1)
    expected = 50 * 1 + 10 * 3 + 2 * 12.405 + 1 * (12 + 3 / 24)
    assert abs(priority(case(), weights, NOW) - expected) < 1e-9
    assert why(case(), NOW, weights).endswith(f" · prioriteit {round(expected)}")


def test_a_column_sort_keeps_the_standard_order_for_ties_and_the_default_is_the_standard_order() -> None:
    assert sorted_by("deadline") == QUEUE_ORDER
    assert sorted_by("amount") == [
        ("total_arrears_cents", -1),
        *[key for key in QUEUE_ORDER if key[0] != "total_arrears_cents"],
    ]
    assert sorted_by("age", reverse=True)[0] == ("first_signal_at", -1)


def test_amounts_are_whole_euros_with_dutch_thousands() -> None:
    assert (euro_whole(99), euro_whole(124_099), euro_whole(100_000_000)) == ("EUR 0", "EUR 1.240", "EUR 1.000.000")
