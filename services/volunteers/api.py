"""HTTP API of the volunteers service."""

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel

from plumbing.web import RuntimeDep
from services.volunteers.assignments import register_volunteer
from services.volunteers.domain import VolunteerCreate

router = APIRouter(prefix="/api/v1", tags=["volunteers"])


class AssignmentPublic(BaseModel):
    id: str
    household_ref: str
    municipality: str
    role: str
    state: str
    volunteer_id: str | None


@router.put("/volunteers/{volunteer_id}", status_code=status.HTTP_200_OK, summary="Register or update a volunteer")
async def put_volunteer(
    volunteer_id: str, volunteer: VolunteerCreate, runtime: RuntimeDep, response: Response
) -> dict[str, str]:
    if volunteer.id != volunteer_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "id: must equal the volunteer id in the path")
    created = await register_volunteer(runtime.db, volunteer)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {"id": volunteer.id}


@router.get("/assignments", response_model=list[AssignmentPublic], summary="Assignments and waiting requests")
async def list_assignments(runtime: RuntimeDep) -> list[AssignmentPublic]:
    return [assignment_public(doc) for doc in await recent_assignments(runtime)]


async def recent_assignments(runtime: RuntimeDep) -> list[dict[str, Any]]:
    return await runtime.db.assignments.find().sort("created_at", -1).limit(200).to_list()


def assignment_public(doc: dict[str, Any]) -> AssignmentPublic:
    return AssignmentPublic(
        id=doc["_id"],
        household_ref=doc["household_ref"],
        municipality=doc["municipality"],
        role=doc["role"],
        state=doc["state"],
        volunteer_id=doc.get("volunteer_id"),
    )
