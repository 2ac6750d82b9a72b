"""API for assigning cases: one case (guarded by its version), or many at once from the queue."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from plumbing.access import CASEWORKERS, Principal, staff
from plumbing.web import RuntimeDep
from services.signals.assignment import MAX_BULK, assign_case, assign_cases

router = APIRouter(prefix="/api/v1", tags=["outreach"])
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]


class AssignmentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(description="Username of a worker of the case's team; null: nobody.")
    version: int = Field(description="The case's version as read (GET /api/v1/cases/{id}); 409 if it changed since.")


class AssignmentPublic(BaseModel):
    assignee: str | None
    version: int


class BulkAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[str] = Field(min_length=1, max_length=MAX_BULK)
    assignee: str


class BulkAssignmentResult(BaseModel):
    assigned: list[str]
    changed: list[str] = Field(description="Changed or closed between the read and the write: left as they were.")


@router.put("/cases/{case_id}/assignment", response_model=AssignmentPublic, summary="Assign a case, or unassign it")
async def assign(
    case_id: str, change: AssignmentChange, runtime: RuntimeDep, request: Request, worker: Caseworker
) -> AssignmentPublic:
    async with runtime.unit_of_work(request, worker) as work:
        case = await assign_case(work, worker, case_id, change.assignee, change.version)
    return AssignmentPublic(assignee=case["assignee"], version=case["version"])


@router.post("/cases/assignments", response_model=BulkAssignmentResult, summary="Assign many cases to one worker")
async def assign_many(
    bulk: BulkAssignment, runtime: RuntimeDep, request: Request, worker: Caseworker
) -> BulkAssignmentResult:
    async with runtime.unit_of_work(request, worker) as work:
        done = await assign_cases(work, worker, bulk.case_ids, bulk.assignee)
    return BulkAssignmentResult(assigned=done.assigned, changed=done.changed)
