"""The event documentation (docs/asyncapi.yaml, docs/events.md) keeps up with the event models and subscriptions."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import Field, create_model

import services.signals.events
from plumbing.revocations import ACCESS_REVOKED, REVOCATIONS_TOPIC

DOCS = Path(__file__).resolve().parents[2] / "docs"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("asyncapi_generator", DOCS / "asyncapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


asyncapi = load_generator()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())
    return loaded


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [ref for key, value in node.items() for ref in ([value] if key == "$ref" else refs_in(value))]
    if isinstance(node, list):
        return [ref for item in node for ref in refs_in(item)]
    return []


def test_committed_asyncapi_matches_the_event_models() -> None:
    assert (DOCS / "asyncapi.yaml").read_text() == asyncapi.render(), "stale; run: python docs/asyncapi.py"


def test_changing_a_model_without_regenerating_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = create_model(
        "SignalRaised",
        __base__=services.signals.events.SignalRaised,
        debt_counsellor=(str, Field(description="A field added without regenerating the document.")),
    )
    monkeypatch.setattr(services.signals.events, "SignalRaised", changed)

    assert "debt_counsellor" in asyncapi.render()
    assert asyncapi.main(["--check"]) == 1


def test_check_passes_on_a_fresh_document_and_fails_on_an_edited_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncapi, "OUTPUT", tmp_path / "asyncapi.yaml")
    assert asyncapi.main(["--check"]) == 1, "a missing document is stale"
    assert asyncapi.main([]) == 0
    assert asyncapi.main(["--check"]) == 0

    edited = (tmp_path / "asyncapi.yaml").read_text().replace("arrears_cents", "arrears_euros")
    (tmp_path / "asyncapi.yaml").write_text(edited)
    assert asyncapi.main(["--check"]) == 1


def test_document_is_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["channels"] and document["operations"]


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    for ref in refs_in(document):
        resolve(document, ref)


def test_every_operation_uses_its_own_channels_messages(document: dict[str, Any]) -> None:
    for name, operation in document["operations"].items():
        assert operation["action"] in {"send", "receive"}, name
        channel_ref = operation["channel"]["$ref"]
        channel = resolve(document, channel_ref)
        assert channel["address"], name
        assert operation["messages"], f"{name} has no messages"
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), f"{name}: {message['$ref']}"
            resolve(document, message["$ref"])


def test_every_message_has_a_payload(document: dict[str, Any]) -> None:
    messages = dict(document["components"]["messages"])
    for channel in document["channels"].values():
        for name, message in channel["messages"].items():
            messages[name] = resolve(document, message["$ref"]) if "$ref" in message else message
    for name, message in messages.items():
        assert "payload" in message, f"{name} has no payload"


def operation_types(document: dict[str, Any], service: str, action: str) -> set[str]:
    """The event types of the messages in `service`'s operations of `action`."""
    return {
        resolve(document, resolve(document, ref["$ref"])["$ref"]).get("title", "")
        for name, operation in document["operations"].items()
        if name.startswith(f"{service}.") and operation["action"] == action
        for ref in operation["messages"]
    }


def test_every_published_event_type_has_a_send_operation(document: dict[str, Any]) -> None:
    publications = asyncapi.publications()
    assert services.signals.events.SIGNAL_RAISED in {publication.event_type for publication in publications}
    for publication in publications:
        assert publication.event_type in operation_types(document, publication.service, "send"), publication


def test_every_subscribed_event_type_has_a_receive_operation(document: dict[str, Any]) -> None:
    consumers = asyncapi.service_modules("subscriptions")
    assert consumers, "no services/*/subscriptions.py found"
    for service, module in consumers.items():
        subscribed = {value for name, value in asyncapi.string_constants(module).items() if not name.endswith("_TOPIC")}
        assert subscribed, f"services/{service}/subscriptions.py declares no event type"
        # besides its subscriptions, every process reads the access revocations (plumbing.revocations)
        assert subscribed | {ACCESS_REVOKED} == operation_types(document, service, "receive"), service


def test_every_event_type_and_topic_is_in_events_md() -> None:
    events_md = (DOCS / "events.md").read_text()
    publications = asyncapi.publications()
    assert publications, "no services/*/events.py found"
    for publication in publications:
        assert f"`{publication.event_type}`" in events_md, f"{publication.event_type} is missing from docs/events.md"
        assert f"`{asyncapi.DEFAULTS.topic(publication.topic)}`" in events_md
    for header in asyncapi.DEAD_LETTER_HEADERS:
        assert f"`{header}`" in events_md
    assert f"`{ACCESS_REVOKED}`" in events_md
    assert f"`{asyncapi.DEFAULTS.topic(REVOCATIONS_TOPIC)}`" in events_md
