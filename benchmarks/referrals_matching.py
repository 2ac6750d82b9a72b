"""Benchmark of matching: referrals ranked per second against a catalogue of 1,000 offers, on one core.

Runs the referrals service's own ranking (services.referrals.domain.rank) in this process, which `taskset` pins
to one core. Reports the median of five rounds.

    taskset -c 0 .venv/bin/python benchmarks/referrals_matching.py [--offers 1000] [--referrals 5000]
"""

import argparse
import os
import platform
import random
import statistics
import time

from services.referrals.domain import AGE_BANDS, DebtPhase, MatchRequest, Need, OfferCreate, OfferStatus
from services.referrals.matching import rank

MUNICIPALITIES = ["GM0141", "GM0150", "GM0163", "GM0175", "GM0177", "GM0193", "GM1742"]


def catalogue(size: int, rng: random.Random) -> list[OfferCreate]:
    offers = []
    for number in range(size):
        maximum = rng.randint(0, 60)
        young = rng.random() < 0.1
        offers.append(
            OfferCreate(
                id=f"offer-{number:04d}",
                name=f"Aanbod {number}",
                organisation=f"Organisatie {number % 50}",
                status=rng.choices(list(OfferStatus), weights=[8, 1, 1])[0],
                phase=rng.choice(list(DebtPhase)),
                municipalities=rng.sample(MUNICIPALITIES, rng.randint(1, 3)),
                needs=rng.sample(list(Need), rng.randint(1, 3)),
                age_minimum=18 if young else None,
                age_maximum=27 if young else None,
                capacity_available=rng.randint(0, maximum),
                capacity_maximum=maximum,
            )
        )
    return offers


def requests(count: int, rng: random.Random) -> list[MatchRequest]:
    return [
        MatchRequest(
            municipality=rng.choice(MUNICIPALITIES),
            needs=rng.sample(list(Need), rng.randint(1, 2)),
            age_band=rng.choice([None, *AGE_BANDS]),
            phase=rng.choice([None, *DebtPhase]),
        )
        for _ in range(count)
    ]


def fits(offer: OfferCreate, request: MatchRequest) -> bool:
    """Written apart from the matcher, so that the smoke run checks it: active, in the municipality, room left, a
    need in common, and the household's age band within the offer's ages."""
    if offer.status is not OfferStatus.ACTIVE or request.municipality not in offer.municipalities:
        return False
    if offer.capacity_available <= 0 or not set(request.needs) & set(offer.needs):
        return False
    if request.age_band is None:
        return True
    low, high = AGE_BANDS[request.age_band]
    above_minimum = offer.age_minimum is None or high >= offer.age_minimum
    return above_minimum and (offer.age_maximum is None or low <= offer.age_maximum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--referrals", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="a small run that checks its counts (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.offers, args.referrals = 50, 200
    rng = random.Random(20261122)
    offers = catalogue(args.offers, rng)
    wanted = requests(args.referrals, rng)
    rates = []
    matched = 0
    expected = sum(1 for request in wanted if any(fits(offer, request) for offer in offers))
    for _ in range(5):
        started = time.perf_counter()
        matched = sum(1 for request in wanted if rank(offers, request))
        rates.append(len(wanted) / (time.perf_counter() - started))
    assert matched == expected, f"{matched} matched, {expected} have a fitting offer"
    cores = sorted(os.sched_getaffinity(0))
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores (this process on {cores}), "
        f"Python {platform.python_version()}"
    )
    print(f"catalogue {len(offers)} offers; {len(wanted)} referrals, {matched} of them with a fitting offer")
    print(
        f"matching: median {statistics.median(rates):.0f} referrals/s (min {min(rates):.0f}, max {max(rates):.0f}, "
        "5 rounds)"
    )


if __name__ == "__main__":
    main()
