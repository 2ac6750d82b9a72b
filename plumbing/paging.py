"""Lists a page at a time, numbered from 1, with how many there are in all: no list is cut off without a word.

The API answers a `Page` (items, total, page, per_page, pages); a page shows "x–y van z" with links to the pages
before and after it (`PageLinks`, rendered by the shared `paging.html`). The order must be total (end on a unique
field such as `_id`), or an item could show on two pages, or on none.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Query
from pydantic import BaseModel, Field
from pymongo.asynchronous.collection import AsyncCollection

Item = TypeVar("Item")
PER_PAGE = 50
MAX_PER_PAGE = 200

MAX_PAGE = 1_000_000  # past it the skip would not fit MongoDB's 64-bit integer; nobody pages that far by hand
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page.")]


class Page(BaseModel, Generic[Item]):
    """One page of a list, and how many there are in all."""

    items: list[Item]
    total: int = Field(description="Items matching the filters, on all pages.")
    page: int = Field(description="This page, from 1.")
    per_page: int
    pages: int = Field(description="Pages in all; a page past the last one is empty.")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.per_page

    def answer(self, items: list[Item], total: int) -> Page[Item]:
        return Page[Item](
            items=items, total=total, page=self.page, per_page=self.per_page, pages=-(-total // self.per_page)
        )


FIRST_PAGE = PageRequest()


def page_number(text: str | None) -> int:
    """The page a page's `pagina` parameter asks for; the first when it is not a page number."""
    return int(text) if text and text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


async def find_page(
    collection: AsyncCollection[Any],
    query: dict[str, Any],
    order: list[tuple[str, int]],
    request: PageRequest,
    projection: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the documents matching `query` in `order` (made total by `_id`), and how many match in all:
    two operations, whatever the page."""
    if all(field != "_id" for field, _ in order):
        order = [*order, ("_id", order[-1][1] if order else 1)]
    found = collection.find(query, projection).sort(order).skip(request.skip).limit(request.per_page)
    return await found.to_list(), await collection.count_documents(query)


@dataclass(frozen=True)
class PageLinks:
    """What a page says about the list it shows: "first–last van total", and the pages before and after."""

    first: int
    last: int
    total: int
    previous: int | None
    next: int | None
    query: str  # the other parameters of the page, to keep on the links: "" or "a=1&b=2&"

    @classmethod
    def of(cls, request: PageRequest, shown: int, total: int, keep: dict[str, str] | None = None) -> "PageLinks":
        first = request.skip + 1 if shown else 0
        last = request.skip + shown
        kept = {name: value for name, value in (keep or {}).items() if value}
        return cls(
            first=first,
            last=last,
            total=total,
            previous=request.page - 1 if request.page > 1 else None,
            next=request.page + 1 if last < total and shown else None,
            query=urlencode(kept) + "&" if kept else "",
        )
