"""Group commit: one write per batch of concurrent submissions, each caller gets its own result or the error."""

import asyncio

import pytest

from plumbing.coalescer import Coalescer


async def test_a_lone_item_is_written_at_once_and_concurrent_ones_together() -> None:
    writes: list[tuple[str, list[int]]] = []

    async def write(key: str, items: list[int]) -> list[int]:
        writes.append((key, items))
        await asyncio.sleep(0.01)
        return [item * 10 for item in items]

    coalescer: Coalescer[str, int, int] = Coalescer(write, max_items=3)
    assert await coalescer.submit("a", 1) == 10
    results = await asyncio.gather(*(coalescer.submit("b" if n % 2 else "a", n) for n in range(8)))
    assert results == [n * 10 for n in range(8)]
    assert writes[0] == ("a", [1])
    assert sorted(item for _, items in writes[1:] for item in items) == list(range(8))
    assert all(len(items) <= 3 for _, items in writes) and len(writes) < 1 + 8
    assert all({n % 2 for n in items} == {1 if key == "b" else 0} for key, items in writes[1:])


async def test_a_failed_write_reaches_each_of_its_callers_and_the_next_batch_still_runs() -> None:
    async def write(key: str, items: list[int]) -> list[int]:
        await asyncio.sleep(0)
        if 13 in items:
            raise ValueError("unlucky batch")
        return items

    coalescer: Coalescer[str, int, int] = Coalescer(write)
    unlucky = asyncio.gather(coalescer.submit("a", 13), coalescer.submit("a", 14), return_exceptions=True)
    assert [type(result) for result in await unlucky] == [ValueError, ValueError]
    assert await coalescer.submit("a", 15) == 15
    with pytest.raises(ValueError):
        await coalescer.submit("a", 13)
