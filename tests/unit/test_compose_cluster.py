"""deploy/docker/compose.cluster.yml checked against the settings the code reads: three Kafka brokers replicating
as the services create their topics, a three-member MongoDB replica set written with w=majority and read with
majority reads. No Docker engine runs here, so the file is checked, not run."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from pymongo import AsyncMongoClient
from pymongo.uri_parser import parse_uri

from plumbing.settings import PlatformSettings
from tests.unit.test_compose import SERVICES, environment

REPO = Path(__file__).resolve().parents[2]
BROKERS = ("kafka", "kafka-2", "kafka-3")
MEMBERS = ("mongo", "mongo-2", "mongo-3")


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def cluster() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "deploy" / "docker" / "compose.cluster.yml").read_text())
    return loaded


def broker(cluster: dict[str, Any], name: str) -> dict[str, str]:
    return environment(cluster["services"][name])


def test_three_nodes_each_controller_and_broker_form_one_quorum(cluster: dict[str, Any]) -> None:
    nodes = {name: broker(cluster, name) for name in BROKERS}
    ids = {name: int(env["KAFKA_NODE_ID"]) for name, env in nodes.items()}
    assert sorted(ids.values()) == [1, 2, 3]
    for name, env in nodes.items():
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        voters = dict(voter.split("@") for voter in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
        assert voters == {str(number): f"{node}:9093" for node, number in ids.items()}
    assert len({env["CLUSTER_ID"] for env in nodes.values()}) == 1


def test_every_partition_is_on_three_brokers_and_a_write_on_two(cluster: dict[str, Any]) -> None:
    for name in BROKERS:
        env = broker(cluster, name)
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"


@pytest.mark.parametrize("service", SERVICES)
def test_services_create_topics_as_the_brokers_replicate_them(cluster: dict[str, Any], service: str) -> None:
    configured = environment(cluster["services"][service])
    known = {f"REDZAAM_{name.upper()}" for name in PlatformSettings.model_fields}
    assert {name for name in configured if name.startswith("REDZAAM_")} <= known
    nodes = broker(cluster, "kafka")
    settings = PlatformSettings(
        dev_mode=True,
        topic_replication_factor=int(configured["REDZAAM_TOPIC_REPLICATION_FACTOR"]),
        topic_min_insync_replicas=int(configured["REDZAAM_TOPIC_MIN_INSYNC_REPLICAS"]),
    )
    assert settings.topic_replication_factor == int(nodes["KAFKA_DEFAULT_REPLICATION_FACTOR"])
    assert settings.topic_min_insync_replicas == int(nodes["KAFKA_MIN_INSYNC_REPLICAS"])
    advertised = {broker(cluster, name)["KAFKA_ADVERTISED_LISTENERS"].removeprefix("PLAINTEXT://") for name in BROKERS}
    assert set(configured["REDZAAM_KAFKA_BOOTSTRAP"].split(",")) == advertised


@pytest.mark.parametrize("service", SERVICES)
def test_services_write_to_a_majority_and_read_what_a_majority_holds(cluster: dict[str, Any], service: str) -> None:
    uri = environment(cluster["services"][service])["REDZAAM_MONGO_URI"]
    parsed = parse_uri(uri)
    assert {host for host, _ in parsed["nodelist"]} == set(MEMBERS)
    for member in MEMBERS:
        command = cluster["services"][member]["command"]
        assert command[command.index("--replSet") + 1] == parsed["options"]["replicaSet"]
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, connect=False)
    assert client.write_concern.document == {"w": "majority", "j": True}
    assert client.read_concern.level == "majority"
    assert client.read_preference.mongos_mode == "primary"  # a secondary may not have applied this service's last write


def test_the_replica_set_is_initiated_with_its_three_members_once_they_are_healthy(cluster: dict[str, Any]) -> None:
    init = cluster["services"]["mongo-init"]
    assert init["restart"] == "no"
    assert {name: rule["condition"] for name, rule in init["depends_on"].items()} == dict.fromkeys(
        MEMBERS, "service_healthy"
    )
    script = init["command"][-1]
    assert "rs.initiate" in script and "_id: 'rs0'" in script
    assert all(f"host: '{member}:27017'" in script for member in MEMBERS)


@pytest.mark.parametrize("service", SERVICES)
def test_services_start_once_every_broker_is_healthy_and_the_replica_set_initiated(
    cluster: dict[str, Any], service: str
) -> None:
    depends_on = cluster["services"][service]["depends_on"]
    for name in BROKERS:
        assert depends_on[name]["condition"] == "service_healthy"
        assert cluster["services"][name]["healthcheck"]["test"]
    assert depends_on["mongo-init"]["condition"] == "service_completed_successfully"
    for member in MEMBERS:
        assert cluster["services"][member]["healthcheck"]["test"]


def test_every_broker_and_member_keeps_its_data_in_its_own_named_volume(
    base: dict[str, Any], cluster: dict[str, Any]
) -> None:
    declared = set(base.get("volumes") or {}) | set(cluster.get("volumes") or {})
    sources = []
    for name in (*BROKERS, *MEMBERS):
        volumes = cluster["services"][name].get("volumes") or base["services"].get(name, {}).get("volumes") or []
        sources += [str(volume).split(":")[0] for volume in volumes]
    assert len(sources) == len(set(sources)) == 6 and set(sources) <= declared
