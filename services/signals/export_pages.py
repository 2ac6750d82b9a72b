"""The DDAS-vroegsignalering figures of one municipality as a CSV download, for caseworkers and the programme lead
(whose export page in reporting sends them here). The same figures as `GET /api/v1/export/ddas` (`ddas_export`),
one row per figure; the download is audited."""

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from plumbing.access import CASEWORKERS, Principal, Role, may_see_municipality, staff
from plumbing.audit import audit
from plumbing.reference import Municipality
from plumbing.web import RuntimeDep
from services.signals.figures import ddas_export

router = APIRouter(include_in_schema=False)
DdasReader = Annotated[Principal, staff(*CASEWORKERS, Role.PROGRAMME_LEAD)]
HEADER = ["gemeente", "van", "tot_en_met", "onderdeel", "soort", "aantal"]
ABOUT_THE_EXPORT = {"standaard", "gemeente", "periode", "gegenereerd_op"}


def ddas_rows(export: dict[str, Any]) -> list[list[str]]:
    """One row per figure of a DDAS export: its part (e.g. `contactpogingen.per_soort`), its kind and the count."""
    rows: list[list[str]] = []
    frame = [export["gemeente"], export["periode"]["van"], export["periode"]["tot_en_met"]]

    def walk(part: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict):
                    walk(f"{part}.{key}", inner)
                else:
                    rows.append([*frame, part, key, str(inner)])
        else:
            rows.append([*frame, part, "totaal", str(value)])

    for part, value in export.items():
        if part not in ABOUT_THE_EXPORT:
            walk(part, value)
    return rows


@router.get("/export/ddas.csv")
async def ddas_download(
    request: Request,
    runtime: RuntimeDep,
    who: DdasReader,
    gemeente: Annotated[Municipality, Query()],
    van: Annotated[date, Query()],
    tot: Annotated[date, Query()],
) -> Response:
    may_see_municipality(who, gemeente)
    if tot < van:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "tot: ligt vóór van")
    await audit(runtime.db, request, who, "export.downloaded", f"ddas:{gemeente}:{van.isoformat()}:{tot.isoformat()}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(ddas_rows(await ddas_export(runtime.db, gemeente, van, tot)))
    name = f"ddas-{gemeente}-{van.isoformat()}-{tot.isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
