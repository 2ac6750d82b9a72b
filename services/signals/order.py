"""The order of the queue, and why a case stands where it does. No I/O.

By default the queue is ordered by deadline, then crisis, creditors, amount and age (`casework.QUEUE_ORDER`). A
municipality may weigh the four factors instead (`municipality_settings.QueueWeights`): cases with the same deadline
then stand by their priority, the sum of each factor times its weight. A worker may also sort by one column; ties
keep the standard order, and the case id makes the order total.
"""

from datetime import UTC, datetime
from typing import Any

from services.signals.casework import QUEUE_ORDER
from services.signals.municipality_settings import QueueWeights

CENTS_PER_AMOUNT_UNIT = 10_000  # the amount weight counts per EUR 100
MS_PER_DAY = 86_400_000
# column: the field it sorts and the direction that puts the most urgent first
SORTS = {
    "deadline": ("deadline", 1),
    "amount": ("total_arrears_cents", -1),
    "creditors": ("creditor_count", -1),
    "age": ("first_signal_at", 1),
}


def sorted_by(column: str, reverse: bool = False) -> list[tuple[str, int]]:
    """One column first (the most urgent first, or last when `reverse`), then the standard order."""
    field, direction = SORTS[column]
    return [(field, -direction if reverse else direction), *[key for key in QUEUE_ORDER if key[0] != field]]


def weighted_order() -> list[tuple[str, int]]:
    return [("deadline", 1), ("priority", -1), ("first_signal_at", 1)]


def priority_expression(weights: QueueWeights, now: datetime) -> dict[str, Any]:
    """The priority of a case as a MongoDB expression, the same sum as `priority`."""
    return {
        "$add": [
            {"$multiply": [{"$cond": ["$crisis", 1, 0]}, weights.crisis]},
            {"$multiply": ["$creditor_count", weights.creditors]},
            {"$multiply": [{"$divide": ["$total_arrears_cents", CENTS_PER_AMOUNT_UNIT]}, weights.amount]},
            {"$multiply": [{"$divide": [{"$subtract": [now, "$first_signal_at"]}, MS_PER_DAY]}, weights.age]},
        ]
    }


def age_in_days(case: dict[str, Any], now: datetime) -> float:
    started: datetime = case["first_signal_at"]
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return (now - started).total_seconds() / 86_400


def priority(case: dict[str, Any], weights: QueueWeights, now: datetime) -> float:
    return float(
        weights.crisis * int(case["crisis"])
        + weights.creditors * case["creditor_count"]
        + weights.amount * case["total_arrears_cents"] / CENTS_PER_AMOUNT_UNIT
        + weights.age * age_in_days(case, now)
    )


def euro_whole(cents: int) -> str:
    return "EUR " + f"{cents // 100:,}".replace(",", ".")


def why(case: dict[str, Any], now: datetime, weights: QueueWeights | None = None) -> str:
    """What puts the case where it stands, e.g. "Crisis · 3 schuldeisers · EUR 1.240 · 12 dagen oud"."""
    days = int(age_in_days(case, now))
    count = case["creditor_count"]
    parts = [
        *(["Crisis"] if case["crisis"] else []),
        f"{count} {'schuldeiser' if count == 1 else 'schuldeisers'}",
        euro_whole(case["total_arrears_cents"]),
        f"{days} {'dag' if days == 1 else 'dagen'} oud",
    ]
    if weights is not None:
        parts.append(f"prioriteit {round(priority(case, weights, now))}")
    return " · ".join(parts)
