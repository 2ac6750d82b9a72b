"""docker-compose.yml checked against the code it runs, so a renamed setting or moved port fails here, not in ops."""

import importlib
import re
import shlex
import typing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from plumbing.settings import PlatformSettings
from services.signals.settings import SignalsSettings

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("signals", "referrals", "volunteers", "reporting")
INFRASTRUCTURE = ("kafka", "mongo")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def settings_class(service: str) -> type[PlatformSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    cls: type[PlatformSettings] = getattr(module, f"{service.capitalize()}Settings")
    assert issubclass(cls, PlatformSettings)
    return cls


def env_name(cls: type[PlatformSettings], field: str) -> str:
    return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def environment(definition: dict[str, Any]) -> dict[str, str]:
    raw = definition.get("environment") or {}
    if isinstance(raw, list):
        return dict(entry.split("=", 1) if "=" in entry else (entry, "") for entry in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def command(definition: dict[str, Any]) -> list[str]:
    raw = definition.get("command") or []
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


def published_ports(definition: dict[str, Any]) -> list[tuple[int, int]]:
    """(host, container) pairs from the short ("[ip:]host:container") and long port syntax."""
    pairs = []
    for entry in definition.get("ports") or []:
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        container = int(parts[-1])
        pairs.append((int(parts[-2]) if len(parts) > 1 else container, container))
    return pairs


def holds_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(holds_secret(arg) for arg in typing.get_args(annotation))


def test_compose_runs_the_four_services_next_to_kafka_and_mongo(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {*SERVICES, *INFRASTRUCTURE}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_published_on_the_port_the_navigation_links_to(compose: dict[str, Any], service: str) -> None:
    linked_port = urlsplit(PlatformSettings.model_fields[f"{service}_url"].default).port
    assert [host for host, _ in published_ports(compose["services"][service])] == [linked_port]


@pytest.mark.parametrize("service", SERVICES)
def test_published_port_reaches_the_port_the_service_listens_on(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    argv = command(definition)
    assert option(argv, "--host") == "0.0.0.0"
    assert [container for _, container in published_ports(definition)] == [int(option(argv, "--port"))]


def test_only_the_staff_facing_ports_are_published(compose: dict[str, Any]) -> None:
    for name in INFRASTRUCTURE:
        assert not compose["services"][name].get("ports"), f"{name} must stay on the compose network"
        assert "network_mode" not in compose["services"][name]
    published = [host for definition in compose["services"].values() for host, _ in published_ports(definition)]
    assert sorted(published) == [8001, 8002, 8003, 8004]


@pytest.mark.parametrize("service", SERVICES)
def test_every_compose_environment_variable_is_a_setting_the_service_reads(
    compose: dict[str, Any], service: str
) -> None:
    cls = settings_class(service)
    known = {env_name(cls, field) for field in cls.model_fields}
    configured = {name for name in environment(compose["services"][service]) if name.upper().startswith("REDZAAM_")}
    assert configured, f"{service} gets no REDZAAM_ settings"
    assert configured - known == set(), f"{service} ignores these variables; a typo?"


@pytest.mark.parametrize("service", SERVICES)
def test_every_required_setting_of_a_service_is_provided(compose: dict[str, Any], service: str) -> None:
    cls = settings_class(service)
    required = {env_name(cls, name) for name, field in cls.model_fields.items() if field.is_required()}
    assert required - set(environment(compose["services"][service])) == set()


@pytest.mark.parametrize("service", SERVICES)
def test_secrets_come_from_the_host_environment_and_are_refused_when_missing(
    compose: dict[str, Any], service: str
) -> None:
    cls = settings_class(service)
    configured = environment(compose["services"][service])
    for name, field in cls.model_fields.items():
        variable = env_name(cls, name)
        if holds_secret(field.annotation) and variable in configured:
            assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", configured[variable]), (
                f"{variable} must be ${{{variable}:?message}}, not a value written into the file"
            )


@pytest.mark.parametrize("service", SERVICES)
def test_services_reach_kafka_and_mongo_by_their_compose_names(compose: dict[str, Any], service: str) -> None:
    configured = environment(compose["services"][service])
    advertised = environment(compose["services"]["kafka"])["KAFKA_ADVERTISED_LISTENERS"]
    assert f"PLAINTEXT://{configured['REDZAAM_KAFKA_BOOTSTRAP']}" in advertised.split(",")
    assert configured["REDZAAM_KAFKA_BOOTSTRAP"].split(":")[0] == "kafka"
    assert urlsplit(configured["REDZAAM_MONGO_URI"]).hostname == "mongo"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_starts_only_after_kafka_and_mongo_are_healthy(compose: dict[str, Any], service: str) -> None:
    depends_on = compose["services"][service].get("depends_on")
    assert isinstance(depends_on, dict), "the list form of depends_on does not wait for health"
    for name in INFRASTRUCTURE:
        assert depends_on[name]["condition"] == "service_healthy"
        assert compose["services"][name]["healthcheck"]["test"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_healthcheck_asks_readyz_on_the_port_it_listens_on(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    probe = " ".join(definition["healthcheck"]["test"])
    assert 'http://127.0.0.1:{os.environ["PORT"]}/readyz' in probe, probe
    assert str(definition["environment"]["PORT"]) == option(command(definition), "--port")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_command_starts_its_own_app_factory(compose: dict[str, Any], service: str) -> None:
    target = option(command(compose["services"][service]), "--factory")
    assert target == f"services.{service}.app:create_app"
    module_name, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module_name), attribute))


@pytest.mark.parametrize("service", SERVICES)
def test_services_are_built_from_the_dockerfile_in_the_repository(compose: dict[str, Any], service: str) -> None:
    build = compose["services"][service]["build"]
    context = REPO / build["context"]
    assert context.resolve() == REPO
    assert (context / build.get("dockerfile", "Dockerfile")).is_file()


def test_kafka_and_mongo_keep_their_data_in_named_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name in INFRASTRUCTURE:
        sources = {str(volume).split(":")[0] for volume in compose["services"][name].get("volumes") or []}
        assert sources and sources <= declared, f"{name} data must survive `docker compose down`"


def test_the_partner_kafka_override_authenticates_partners_and_denies_without_an_acl() -> None:
    override = yaml.safe_load((REPO / "deploy" / "docker" / "compose.partner-kafka.yml").read_text())
    kafka = override["services"]["kafka"]["environment"]
    protocols = dict(pair.split(":") for pair in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert protocols["PARTNERS"] == "SASL_PLAINTEXT" and protocols["PLAINTEXT"] == "PLAINTEXT"
    assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert override["services"]["kafka"]["ports"] == ["9094:9094"]  # the partner listener only, never 9092
    # the signals service keeps the members' users and ACLs (services/signals/access/kafka_access.py)
    assert override["services"]["signals"]["environment"] == {"REDZAAM_PARTNER_KAFKA_ACCESS": "true"}
    assert "partner_kafka_access" in SignalsSettings.model_fields


def test_the_mail_override_points_the_notifying_services_at_its_mail_catcher() -> None:
    override = yaml.safe_load((REPO / "deploy" / "docker" / "compose.mail.yml").read_text())
    catcher = override["services"]["mailpit"]
    assert catcher["ports"] == ["8025:8025"]  # the page of caught messages; SMTP stays inside
    for service in ("signals", "referrals", "volunteers"):
        environment = override["services"][service]["environment"]
        assert environment["REDZAAM_SMTP_HOST"] == "mailpit" and environment["REDZAAM_SMTP_PORT"] == "1025"
        settings = {f"REDZAAM_{name.upper()}" for name in PlatformSettings.model_fields}
        assert set(environment) <= settings
