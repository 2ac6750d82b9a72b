"""Staff pages of the signals service."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from plumbing.web import RuntimeDep, render_page
from services.signals.api import open_cases
from services.signals.domain import MUNICIPALITIES

router = APIRouter(include_in_schema=False)


@router.get("/")
async def queue(request: Request, runtime: RuntimeDep, gemeente: Annotated[str | None, Query()] = None) -> Response:
    municipality = gemeente if gemeente in MUNICIPALITIES else None
    cases = await open_cases(runtime, municipality)
    return render_page(
        request,
        "queue.html",
        "Werkvoorraad vroegsignalen",
        cases=cases,
        municipalities=MUNICIPALITIES,
        selected=municipality,
    )
