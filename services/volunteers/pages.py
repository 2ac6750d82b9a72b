"""Staff pages of the volunteers service."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plumbing.web import RuntimeDep, render_page
from services.volunteers.api import recent_assignments

router = APIRouter(include_in_schema=False)


@router.get("/")
async def overview(request: Request, runtime: RuntimeDep) -> Response:
    volunteers = await runtime.db.volunteers.find().sort("name", 1).to_list()
    return render_page(
        request,
        "overview.html",
        "Vrijwilligers en koppelingen",
        volunteers=volunteers,
        assignments=await recent_assignments(runtime),
        names={volunteer["_id"]: volunteer["name"] for volunteer in volunteers},
    )
