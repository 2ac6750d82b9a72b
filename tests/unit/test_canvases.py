"""Each service's CANVAS.md says what it publishes and what it subscribes to as the code does: every event type in
its events.py (and on the partners' own topics) is in the canvas's Publishes, every topic and type of its
subscriptions.py (the table its app.py, the AsyncAPI document and reporting's rebuild read) is in its Subscribes
tables, and the canvas names nothing the code does not do."""

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from plumbing.revocations import ACCESS_REVOKED, REVOCATIONS_TOPIC, access_revoked
from services.referrals import events as referrals_events
from services.referrals import partner_topics
from services.referrals import subscriptions as referrals_subscriptions
from services.reporting import events as reporting_events
from services.reporting import subscriptions as reporting_subscriptions
from services.reporting.facts import FACTS_OF, METRICS
from services.signals import events as signals_events
from services.signals import partner_feedback
from services.signals import subscriptions as signals_subscriptions
from services.volunteers import events as volunteers_events
from services.volunteers import subscriptions as volunteers_subscriptions

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "nl.redzaam."
SERVICES = {
    "signals": (signals_events, signals_subscriptions, {partner_feedback.SIGNAL_FEEDBACK, ACCESS_REVOKED}),
    "referrals": (
        referrals_events,
        referrals_subscriptions,
        {partner_topics.REFERRAL_OFFERED, partner_topics.REFERRAL_CHANGED},
    ),
    "volunteers": (volunteers_events, volunteers_subscriptions, set()),
    "reporting": (reporting_events, reporting_subscriptions, set()),
}


def constants(module: ModuleType) -> dict[str, str]:
    return {name: value for name, value in vars(module).items() if name.isupper() and isinstance(value, str)}


def types_of(module: ModuleType) -> set[str]:
    return {value for name, value in constants(module).items() if not name.endswith("_TOPIC")}


def topics_of(module: ModuleType) -> set[str]:
    return {value for name, value in constants(module).items() if name.endswith("_TOPIC")}


def expand(cell: str) -> list[str]:
    """The event types a cell names in backticks: `nl.redzaam.referral.accepted`, `referral.accepted` (the prefix
    left out) and `.started` (the same kind as the type before it)."""
    found: list[str] = []
    for token in re.findall(r"`([^`]+)`", cell):
        if token.startswith("."):
            if found:
                found.append(found[-1].rsplit(".", 1)[0] + token)
        elif re.fullmatch(r"(nl\.redzaam\.)?[a-z_]+\.[a-z_]+", token) and not token.endswith(".py"):
            found.append(token if token.startswith(PREFIX) else PREFIX + token)
    return found


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {heading}\b.*?$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def topic_tables(text: str) -> list[tuple[str, str]]:
    """(topic cell, type cell) of every row of the canvas's tables headed `| topic | type |`; an empty topic cell
    is the topic of the row above."""
    rows: list[tuple[str, str]] = []
    for table in re.findall(r"^\| topic \| type \|.*?\n((?:\|.*\n?)+)", text, re.MULTILINE):
        topic = ""
        for line in table.splitlines()[1:]:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            topic = cells[0] or topic
            rows.append((topic, cells[1]))
    return rows


def canvas_topic(cell: str) -> str:
    """`redzaam.signals.intake.<id>` (its own topic per partner) is a topic of the `signals.intake` family."""
    name = re.findall(r"`([^`]+)`", cell)[0]
    return re.sub(r"\.<[^>]+>.*$", "", name).removeprefix("redzaam.")


def canvas(service: str) -> str:
    return (ROOT / "services" / service / "CANVAS.md").read_text(encoding="utf-8")


def subscribed_in_canvas(text: str) -> tuple[set[str], set[str]]:
    rows = [(topic, types) for topic, types in topic_tables(text) if "(publishes" not in topic]
    return {canvas_topic(topic) for topic, _ in rows}, {kind for _, types in rows for kind in expand(types)}


def published_in_canvas(text: str) -> set[str]:
    published = set(expand(section(text, "Publishes")))
    published |= {kind for topic, types in topic_tables(text) if "(publishes" in topic for kind in expand(types)}
    feedback = re.findall(r"hear back on `[^`]+` \((`[^`]+`)", text)  # the creditors' feedback, said in a sentence
    return published | {kind for cell in feedback for kind in expand(cell)}


@pytest.mark.parametrize("service", SERVICES)
def test_the_canvas_subscribes_to_what_the_code_subscribes_to(service: str) -> None:
    _, subscriptions, _ = SERVICES[service]
    topics, kinds = subscribed_in_canvas(canvas(service))
    code_kinds = types_of(subscriptions) | {ACCESS_REVOKED}  # every service reads the revocations (plumbing)
    assert sorted(code_kinds - kinds) == [], f"{service}: subscribed in code, missing from CANVAS.md"
    assert sorted(kinds - code_kinds) == [], f"{service}: in CANVAS.md's Subscribes, not subscribed in code"
    code_topics = topics_of(subscriptions) | {REVOCATIONS_TOPIC}
    assert sorted(code_topics - topics) == [], f"{service}: topics read in code, missing from CANVAS.md"


@pytest.mark.parametrize("service", SERVICES)
def test_the_canvas_publishes_what_the_code_publishes(service: str) -> None:
    events, _, elsewhere = SERVICES[service]
    published = published_in_canvas(canvas(service))
    code = types_of(events) | elsewhere
    assert sorted(code - published) == [], f"{service}: published in code, missing from CANVAS.md"
    assert sorted(published - code) == [], f"{service}: in CANVAS.md's Publishes, not published in code"


def test_abbreviated_types_in_a_cell_are_read_as_the_canvases_write_them() -> None:
    cell = "`nl.redzaam.household.matched`, `referral.accepted`, `.started` (source `/partners/<id>`)"
    assert expand(cell) == [
        "nl.redzaam.household.matched",
        "nl.redzaam.referral.accepted",
        "nl.redzaam.referral.started",
    ]


def test_every_event_source_follows_one_scheme() -> None:
    """/redzaam/<service>, then the part of it that speaks: /redzaam/signals/partners, /redzaam/reporting/lab."""
    found = {
        f"services.{service}.{path.stem}": importlib.import_module(f"services.{service}.{path.stem}").SOURCE
        for service in SERVICES
        for path in (ROOT / "services" / service).glob("*.py")
        if re.search(r"^SOURCE = ", path.read_text(encoding="utf-8"), re.MULTILINE)
    }
    found["plumbing.revocations"] = access_revoked("someone").source
    wrong = {module: source for module, source in found.items() if not source.startswith("/redzaam/")}
    assert len(found) > 5 and wrong == {}
    assert all(source.split("/")[2] == module.split(".")[1] for module, source in found.items() if "services" in module)
    assert found["plumbing.revocations"].startswith("/redzaam/signals/")


def test_reportings_handler_table_counts_exactly_the_types_it_subscribes_to() -> None:
    assert set(FACTS_OF) == types_of(reporting_subscriptions)


def test_reportings_canvas_names_every_metric() -> None:
    text = canvas("reporting")
    assert [metric for metric in METRICS if f"`{metric}`" not in text] == []
