"""Use case: an employer's HR contact asks help for an employee who consents, on the employer desk. It is the
resident's help request (services.signals.help_requests), with the employer attached, and audited as the HR
contact's action: which case, never the employee's data."""

from plumbing.unit_of_work import UnitOfWork
from services.signals.employer_desk import NotAnEmployer, active_employer
from services.signals.help_requests import HelpRequestReceived, request_help
from services.signals.self_test import HelpRequestCreate
from services.signals.settings import SignalsSettings


async def ask_help_for_employee(
    work: UnitOfWork, settings: SignalsSettings, request: HelpRequestCreate, employer_id: str
) -> HelpRequestReceived:
    if await active_employer(work.db, employer_id) is None:
        work.audit("employer_desk.help_requested", f"partner:{employer_id}")
        raise NotAnEmployer(employer_id)
    received = await request_help(work, settings, request, employer_id=employer_id)
    work.audit("employer_desk.help_requested", f"case:{received.case_id}")
    return received
