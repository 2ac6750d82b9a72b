"""Group commit: single requests that arrive while a batch is being written are written together in the next one.

An HTTP endpoint that takes one item at a time (one signal per request) would otherwise pay a whole batch's
database commands for every item. Here the first request after a quiet moment is written at once, alone; requests
that arrive while it is being written wait for it and then go together, up to `max_items` per batch. A quiet
service answers as fast as before; a busy one pays the commands of one batch for many requests.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Key, Item, Result]):
    def __init__(self, write: Callable[[Key, list[Item]], Awaitable[list[Result]]], max_items: int = 1000) -> None:
        """`write` takes the items of one key (a partner, say) and returns one result per item, in order."""
        self._write = write
        self._max_items = max_items
        self._pending: dict[Key, list[tuple[Item, asyncio.Future[Result]]]] = {}
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, key: Key, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, []).append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # requests already on their way in this turn of the loop join the first batch
        while self._pending:
            key = next(iter(self._pending))
            waiting = self._pending[key]
            batch, rest = waiting[: self._max_items], waiting[self._max_items :]
            if rest:
                self._pending[key] = rest
            else:
                del self._pending[key]
            try:
                results = await self._write(key, [item for item, _ in batch])
            except Exception as error:  # every request of the batch hears of it; the next batch is tried anyway
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # a caller that went away meanwhile
                    future.set_result(result)
