import pytest
from pydantic import ValidationError

from plumbing.settings import PlatformSettings
from services.signals.settings import SignalsSettings

STRONG = "k9vP2xQ7rT4mW8zL1nB6"


@pytest.fixture(autouse=True)
def data_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DATA_KEY", "d4tA-k3y-9vP2xQ7rT4mW8zL")


def test_placeholder_secret_is_refused_outside_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "false")
    monkeypatch.setenv("REDZAAM_PSEUDONYM_KEY", "changeme")
    with pytest.raises(ValidationError, match="REDZAAM_PSEUDONYM_KEY is a placeholder"):
        SignalsSettings()  # type: ignore[call-arg]


def test_short_secret_is_refused_outside_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "false")
    monkeypatch.setenv("REDZAAM_PSEUDONYM_KEY", "short-key")
    with pytest.raises(ValidationError, match="at least 16"):
        SignalsSettings()  # type: ignore[call-arg]


def test_dev_secret_is_accepted_in_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "true")
    monkeypatch.setenv("REDZAAM_PSEUDONYM_KEY", "dev-key")
    assert SignalsSettings().pseudonym_key.get_secret_value() == "dev-key"  # type: ignore[call-arg]


def test_real_secrets_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "false")
    monkeypatch.setenv("REDZAAM_PSEUDONYM_KEY", STRONG)
    monkeypatch.setenv("REDZAAM_ADMIN_PASSWORD", "a-long-admin-password-123")
    monkeypatch.setenv("REDZAAM_TOPIC_PREFIX", "acc")
    settings = SignalsSettings()  # type: ignore[call-arg]
    assert settings.admin_password is not None
    assert settings.admin_password.get_secret_value() == "a-long-admin-password-123"
    assert settings.topic("signals.events") == "acc.signals.events"
    assert settings.consumer_group == "acc.signals"
    assert settings.database_name == "redzaam_signals"


def test_a_placeholder_token_key_is_refused_outside_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "false")
    monkeypatch.setenv("REDZAAM_PSEUDONYM_KEY", STRONG)
    monkeypatch.setenv("REDZAAM_TOKEN_KEY", "changeme")
    with pytest.raises(ValidationError, match="REDZAAM_TOKEN_KEY"):
        SignalsSettings()  # type: ignore[call-arg]


def test_topics_are_replicated_as_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "true")
    defaults = PlatformSettings()
    assert (defaults.topic_replication_factor, defaults.topic_min_insync_replicas) == (1, 1)
    monkeypatch.setenv("REDZAAM_TOPIC_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("REDZAAM_TOPIC_MIN_INSYNC_REPLICAS", "2")
    settings = PlatformSettings()
    assert (settings.topic_replication_factor, settings.topic_min_insync_replicas) == (3, 2)


def test_more_insync_replicas_than_replicas_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDZAAM_DEV_MODE", "true")
    monkeypatch.setenv("REDZAAM_TOPIC_MIN_INSYNC_REPLICAS", "2")
    with pytest.raises(ValidationError, match="REDZAAM_TOPIC_MIN_INSYNC_REPLICAS exceeds"):
        PlatformSettings()


def test_the_navigation_shows_a_role_only_the_services_it_works_in() -> None:
    from plumbing.access import Role
    from plumbing.web import navigation

    settings = PlatformSettings(dev_mode=True)
    labels = {role: [item.label for item in navigation(settings, role)] for role in Role}
    assert labels[Role.OUTREACH_WORKER] == ["Signalen", "Verwijzingen", "Rapportage"]
    assert labels[Role.VOLUNTEER_COORDINATOR] == ["Vrijwilligers", "Rapportage"]
    assert labels[Role.PARTNER_EMPLOYEE] == ["Verwijzingen", "Rapportage"]
    assert navigation(settings, Role.ADMINISTRATOR)[0].url.endswith("/beheer")
    # an employer's HR contact works only in its desk: not the region's figures either
    assert [(item.label, item.url[-16:]) for item in navigation(settings, Role.EMPLOYER_HR)] == [
        ("Werkgeversloket", "/werkgeversloket")
    ]
    assert len(navigation(settings)) == 4  # before signing in: every service
