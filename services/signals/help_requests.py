"""Use case: a resident's help request ("Hulp vragen") reaches the municipality's queue.

The page and the public API call `request_help` once they have a valid request with the resident's consent;
nothing is stored before that. The request is recognised when it comes again within the duplicate window
(plumbing.public_forms) and then stored once. It joins the household's active case (the same pseudonym as the
creditors' signals: postcode, house number and addition) or begins a self-reported case of its own; the case write
carries the events in its outbox (`help.requested`, and `case.opened` or `case.escalated` when the request changed
that), guarded by the case's version and retried should another writer come first. A confirmation e-mail is queued
after the case is written, keyed by the request, only when the resident asked for one.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from plumbing import public_forms
from plumbing.events import new_event
from plumbing.mail import Notification, enqueue
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.reference import municipality_name
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import Policy
from services.signals.calendar import is_working_day
from services.signals.domain import Address
from services.signals.employer_desk import employer_of_code
from services.signals.events import EVENTS_TOPIC
from services.signals.intake import SOURCE, Contention, _active_cases, household_for
from services.signals.rules import deadline
from services.signals.sealing import Sealer
from services.signals.self_reported import fold_request, new_self_reported_case, request_entry
from services.signals.self_test import ARREARS, CONTACT_CHOICES, INCOMES, WORRIES, Advice, HelpRequestCreate, advise
from services.signals.settings import SignalsSettings
from services.signals.teams import team_for, teams_by_municipality

FORM = "help_request"
MAX_ATTEMPTS = 20
CONFIRMATION_SUBJECT = "Uw hulpvraag is ontvangen"  # never personal data in a subject


@dataclass(frozen=True)
class HelpRequestReceived:
    request_id: str
    case_id: str
    municipality: str
    deadline: date
    working_days: int
    crisis: bool
    advice: Advice
    help_from: str
    confirmation_queued: bool = False
    duplicate: bool = False


async def request_help(
    work: UnitOfWork,
    settings: SignalsSettings,
    request: HelpRequestCreate,
    today: date | None = None,
    employer_id: str = "",
) -> HelpRequestReceived:
    """Stores the request in its household's case; the same request again within the window is stored once.
    Through the employer desk the request names its employer: `employer_id` when its HR contact asks, else the
    employer whose desk code the resident gave (an unknown code is refused, naming employer_code)."""
    employer_id = employer_id or await employer_of_code(work.db, request.employer_code or "")
    request_id = f"hr-{uuid.uuid4().hex[:12]}"
    key = public_forms.fingerprint(settings, FORM, request.model_dump(mode="json", exclude={"consent"}))
    earlier = await public_forms.claim(work.db, key, request_id, public_forms.duplicate_window(settings))
    if earlier is not None:  # stored before, or being stored right now by the same request sent twice at once
        found = await _received(work, settings, request, earlier)
        return found or replace(preview(settings, request, today or date.today()), request_id=earlier, duplicate=True)
    try:
        received = await _store(work, settings, request_id, request, today or date.today(), employer_id)
    except BaseException:
        await public_forms.release(work.db, key, request_id)
        raise
    await public_forms.confirm(work.db, key, request_id)
    return received


async def _store(
    work: UnitOfWork,
    settings: SignalsSettings,
    request_id: str,
    request: HelpRequestCreate,
    today: date,
    employer_id: str = "",
) -> HelpRequestReceived:
    db, sealer, now = work.db, Sealer(settings), datetime.now(UTC)
    municipality = request.test.municipality
    policy = Policy(settings.threshold_for(municipality), settings.term_for(municipality))
    address = Address(postcode=request.postcode, house_number=request.house_number, addition=request.addition)
    household = await household_for(db, settings, address)
    entry = request_entry(request_id, request, now, sealer.seal, employer_id)
    topic = settings.topic(EVENTS_TOPIC)
    teams = (await teams_by_municipality(db, [municipality]))[municipality]
    for _ in range(MAX_ATTEMPTS):
        case, case_id = (await _active_cases(db, {household}))[household]
        base = case or {
            **new_self_reported_case(case_id, household, request, now, sealer.seal),
            "team": team_for(request.postcode, teams),  # the neighbourhood team of its area, as at intake
        }
        folded = fold_request(base, entry, policy, today)
        events = [
            outbox_entry(topic, new_event(type=kind, source=SOURCE, subject=household, data=data))
            for kind, data in folded.events
        ]
        if case is None:
            try:
                await db.cases.insert_one(new_document(folded.case, *events))
            except DuplicateKeyError:
                continue  # the household's case was begun meanwhile: join it
        else:
            changes = {
                name: value
                for name, value in folded.case.items()
                if name not in ("_id", "version", "outbox", "outbox_pending") and value != case.get(name)
            }
            guarded = {"_id": case_id, "version": case["version"]}
            if (await db.cases.update_one(guarded, change_with_events(changes, *events))).modified_count != 1:
                continue
        work.announced("cases", case_id)
        received = _received_in(folded.case, entry, today)
        if request.confirmation_email and request.email is not None:
            queued = await enqueue(db, [confirmation(received, str(request.email))])
            received = replace(received, confirmation_queued=queued == 1)
        return received
    raise Contention(f"the household's case changed {MAX_ATTEMPTS} times while a help request joined it")


def preview(settings: SignalsSettings, request: HelpRequestCreate, today: date) -> HelpRequestReceived:
    """What the resident would be told for a new case, without storing anything (the honeypot's answer)."""
    municipality = request.test.municipality
    due = deadline(today, request.crisis, settings.term_for(municipality))
    advice = advise(request.test).advice
    return HelpRequestReceived(
        request_id=f"hr-{uuid.uuid4().hex[:12]}",
        case_id="",
        municipality=municipality,
        deadline=due,
        working_days=working_days_between(today, due),
        crisis=request.crisis,
        advice=advice,
        help_from=HELP_FROM[advice].format(where=municipality_name(municipality)),
    )


def _received_in(case: dict[str, Any], entry: dict[str, Any], today: date) -> HelpRequestReceived:
    due = date.fromisoformat(case["deadline"])
    advice = Advice(entry["advice"])
    return HelpRequestReceived(
        request_id=entry["id"],
        case_id=case["_id"],
        municipality=case["municipality"],
        deadline=due,
        working_days=working_days_between(today, due),
        crisis=case["crisis"],
        advice=advice,
        help_from=HELP_FROM[advice].format(where=municipality_name(case["municipality"])),
    )


async def _received(
    work: UnitOfWork, settings: SignalsSettings, request: HelpRequestCreate, request_id: str
) -> HelpRequestReceived | None:
    """The earlier request of a duplicate, as it was received: in its household's active case (the same address
    gives the same household; read by id); None while it is still being stored."""
    address = Address(postcode=request.postcode, house_number=request.house_number, addition=request.addition)
    household = await household_for(work.db, settings, address)
    case, _ = (await _active_cases(work.db, {household}))[household]
    entry = next((item for item in (case or {}).get("help_requests", []) if item["id"] == request_id), None)
    if case is None or entry is None:
        return None
    return replace(_received_in(case, entry, date.today()), duplicate=True)


HELP_FROM = {
    Advice.SELF_HELP: "Een medewerker van de gemeente {where}",
    Advice.VOLUNTEER: "Een medewerker van de gemeente {where}, die u ook aan een vrijwilliger kan koppelen,",
    Advice.MUNICIPALITY: "Een schuldhulpverlener van de gemeente {where}",
    Advice.URGENT: "Een schuldhulpverlener van de gemeente {where}",
}


def confirmation(received: HelpRequestReceived, to: str) -> Notification:
    """The confirmation e-mail: what happens next, with no personal data but the address it goes to."""
    return Notification(
        key=f"help-request-received:{received.request_id}",
        to=to,
        subject=CONFIRMATION_SUBJECT,
        body=(
            f"Wij hebben uw hulpvraag ontvangen. Dank u wel dat u de stap zette.\n\n"
            f"{received.help_from} neemt binnen {received.working_days} werkdagen contact met u op, "
            f"uiterlijk op {received.deadline.strftime('%d-%m-%Y')}, op de manier die u koos.\n\n"
            "Heeft u intussen een brief over een ontruiming of afsluiting gekregen? Bel dan de gemeente zelf.\n\n"
            f"Uw kenmerk: {received.request_id}\n"
            "Wilt u niet meer dat wij contact opnemen? Zeg het de medewerker; uw gegevens worden dan gewist na de "
            "bewaartermijn."
        ),
    )


ADVICE_LABELS = {
    Advice.SELF_HELP: "Zelf aan de slag (tips)",
    Advice.VOLUNTEER: "Vrijwilliger (schuldhulpmaatje, thuisadministratie)",
    Advice.MUNICIPALITY: "Schuldhulp van de gemeente",
    Advice.URGENT: "Met spoed: ontruiming of afsluiting aangekondigd",
}


def opened_requests(case: dict[str, Any], settings: SignalsSettings) -> list[dict[str, Any]]:
    """A case's help requests for its page, opened and in Dutch; the personal data of an erased one is None."""
    sealer, shown = Sealer(settings), []
    for entry in case.get("help_requests", []):
        personal = sealer.open(entry.get("personal"))
        test = (personal or {}).get("test") or {}
        shown.append(
            {
                "at": entry["at"],
                "contact_by": CONTACT_CHOICES.get(entry["contact_by"], entry["contact_by"]),
                "advice": ADVICE_LABELS.get(entry["advice"], entry["advice"]),
                "crisis": entry["crisis"],
                "employer_code": entry.get("employer_code"),
                "person": (personal or {}).get("person"),
                "address": (personal or {}).get("address"),
                "income": {key.value: label for key, label in INCOMES.items()}.get(test.get("income") or "", ""),
                "arrears": [ARREARS.get(code, code) for code in test.get("arrears", [])],
                "worries": [WORRIES.get(code, code) for code in test.get("worries", [])],
            }
        )
    return shown


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    return sum(is_working_day(start + timedelta(days=offset)) for offset in range(1, (end - start).days + 1))
