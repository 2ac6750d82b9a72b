"""HTTP API of the reporting service."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from plumbing.web import RuntimeDep
from services.reporting.counting import counters

router = APIRouter(prefix="/api/v1", tags=["reporting"])


class CounterPublic(BaseModel):
    municipality: str = Field(examples=["GM0141"])
    month: str = Field(examples=["2026-11"])
    metric: str = Field(examples=["signals_raised"])
    events: int = Field(description="Events counted, each exactly once.")
    households: int = Field(description="Distinct households among them.")


@router.get("/counters", response_model=list[CounterPublic], summary="Counters per municipality, month and metric")
async def get_counters(
    runtime: RuntimeDep,
    municipality: Annotated[str | None, Query(pattern=r"^GM\d{4}$")] = None,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
) -> list[CounterPublic]:
    rows = await counters(runtime.db, municipality, month)
    return [CounterPublic(**vars(row)) for row in rows]
