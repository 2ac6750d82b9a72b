"""Edges (HTTP routes, pages, composition roots) call use cases; they never write an outbox entry or wake the relay
themselves: that is the unit of work's job, so that a page and an API route doing the same thing are one flow."""

from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
OUTBOX_AND_RELAY = ("outbox_entry", "change_with_events", "new_document(", ".wake(", "wake_many", "wake_relay")


def edges() -> list[Path]:
    names = ("api.py", "pages.py", "app.py")
    return sorted(path for path in SERVICES.rglob("*.py") if path.name.endswith(names))


def test_there_are_edges_to_check() -> None:
    assert len(edges()) >= 12


def test_no_edge_writes_the_outbox_or_wakes_the_relay() -> None:
    offending = [
        f"{path.relative_to(SERVICES)}: {word}"
        for path in edges()
        for word in OUTBOX_AND_RELAY
        if word in path.read_text(encoding="utf-8")
    ]
    assert offending == []
