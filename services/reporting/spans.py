"""Offset spans: which records of a partition are applied, as sorted, disjoint, inclusive (first, last) pairs.
No I/O here."""

Span = tuple[int, int]


def covers(spans: list[Span], offset: int) -> bool:
    return any(first <= offset <= last for first, last in spans)


def merge(spans: list[Span]) -> list[Span]:
    """The same offsets as fewest spans: overlapping and adjacent spans become one."""
    merged: list[Span] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def outside(spans: list[Span], held: list[Span]) -> list[Span]:
    """The parts of `spans` that `held` does not cover."""
    remaining: list[Span] = []
    for first, last in merge(spans):
        start = first
        for held_first, held_last in merge(held):
            if held_last < start or held_first > last:
                continue
            if held_first > start:
                remaining.append((start, held_first - 1))
            start = max(start, held_last + 1)
        if start <= last:
            remaining.append((start, last))
    return remaining
