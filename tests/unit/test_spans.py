"""Offset spans, checked against the plain set of offsets they stand for."""

import random

from services.reporting.spans import Span, covers, merge, outside


def offsets(spans: list[Span]) -> set[int]:
    return {offset for first, last in spans for offset in range(first, last + 1)}


def random_spans(rng: random.Random) -> list[Span]:
    spans = []
    for _ in range(rng.randint(0, 6)):
        first = rng.randint(0, 60)
        spans.append((first, first + rng.randint(0, 8)))
    return spans


def test_merge_keeps_the_offsets_in_fewest_sorted_disjoint_spans() -> None:
    rng = random.Random(7)
    for _ in range(500):
        spans = random_spans(rng)
        merged = merge(spans)
        assert offsets(merged) == offsets(spans)
        assert all(merged[i][1] + 1 < merged[i + 1][0] for i in range(len(merged) - 1)), merged


def test_adjacent_batches_become_one_span() -> None:
    assert merge([(0, 99), (100, 199), (250, 260)]) == [(0, 199), (250, 260)]


def test_outside_is_the_set_difference_and_covers_is_membership() -> None:
    rng = random.Random(11)
    for _ in range(500):
        spans, held = random_spans(rng), random_spans(rng)
        assert offsets(outside(spans, held)) == offsets(spans) - offsets(held)
        probe = rng.randint(0, 70)
        assert covers(spans, probe) == (probe in offsets(spans))
