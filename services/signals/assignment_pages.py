"""The case page's assignment form: take the case on ("Neem in behandeling"), assign it to a colleague of its team,
or hand it back."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from plumbing.access import CASEWORKERS, Principal, staff
from plumbing.web import RuntimeDep
from services.signals.assignment import AssigneeUnfit, CaseChanged, NotYourTeam, assign_case
from services.signals.casework import CaseNotFound, CaseNotOpen

router = APIRouter(include_in_schema=False)
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]
Text = Annotated[str, Form()]


@router.post("/casussen/{case_id}/toewijzen")
async def assignment_form(
    request: Request,
    runtime: RuntimeDep,
    worker: Caseworker,
    case_id: str,
    actie: Text = "",
    behandelaar: Text = "",
    versie: Text = "",
) -> Response:
    """`actie` zelf: the worker takes it on; teruggeven: nobody; toewijzen: `behandelaar`."""
    assignee = {"zelf": worker.subject, "teruggeven": None}.get(actie, behandelaar.strip() or None)
    if actie == "toewijzen" and not assignee:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Kies een collega om de casus aan toe te wijzen.")
    try:
        async with runtime.unit_of_work(request, worker) as work:
            await assign_case(work, worker, case_id, assignee, int(versie) if versie.isdigit() else -1)
    except CaseNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Deze casus bestaat niet.") from error
    except NotYourTeam as error:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Deze casus hoort bij een ander wijkteam of een andere gemeente; alleen dat team kan hem toewijzen.",
        ) from error
    except CaseNotOpen as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "Deze casus is niet (meer) open.") from error
    except CaseChanged as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "Iemand anders heeft deze casus intussen gewijzigd. Open hem opnieuw en kijk of toewijzen nog nodig is.",
        ) from error
    except AssigneeUnfit as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "Deze collega werkt niet in het team of de gemeente van de casus."
        ) from error
    done = "zelf" if assignee == worker.subject else ("teruggegeven" if assignee is None else "toegewezen")
    return RedirectResponse(f"/casussen/{case_id}?toewijzing={done}", status_code=status.HTTP_303_SEE_OTHER)
