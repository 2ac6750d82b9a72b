"""What a process holds as revoked: a signed-out session, or a subject's tokens issued before a moment."""

import time

from plumbing.events import new_event
from plumbing.revocations import ACCESS_REVOKED, LONGEST_TOKEN_SECONDS, AccessRevoked, RevocationList, access_revoked


def test_a_signed_out_session_is_revoked_and_other_sessions_of_the_same_person_are_not() -> None:
    revocations = RevocationList()
    now = int(time.time())
    revocations.apply(access_revoked("almelo", session="s-1"))

    assert revocations.revoked("almelo", "s-1", issued_at=now)
    assert not revocations.revoked("almelo", "s-2", issued_at=now)
    assert not revocations.revoked("almelo", "", issued_at=now)  # a script's token carries no session of a browser


def test_a_deactivated_subject_loses_every_token_it_holds_and_can_get_no_new_one_this_second() -> None:
    revocations = RevocationList()
    now = int(time.time())
    revocations.apply(access_revoked("coordinator"))

    assert revocations.revoked("coordinator", "s-1", issued_at=now - 3600)
    assert revocations.revoked("coordinator", "", issued_at=now)
    assert not revocations.revoked("lead", "", issued_at=now)


def test_after_a_secret_rotation_a_token_got_with_the_new_secret_is_valid() -> None:
    revocations = RevocationList()
    now = int(time.time())
    revocations.apply(access_revoked("enexis", issued_before=now))

    assert revocations.revoked("enexis", "", issued_at=now - 1)
    assert not revocations.revoked("enexis", "", issued_at=now)


def test_a_later_revocation_of_the_same_subject_never_shortens_an_earlier_one() -> None:
    revocations = RevocationList()
    revocations.apply(access_revoked("enexis", issued_before=2_000))
    revocations.apply(access_revoked("enexis", issued_before=1_000))  # delivered out of order

    assert revocations.revoked("enexis", "", issued_at=1_500)


def test_entries_are_forgotten_once_every_token_they_cover_has_expired() -> None:
    revocations = RevocationList()
    issued_before = int(time.time())
    revocations.apply(access_revoked("almelo", session="s-1", issued_before=issued_before))
    revocations.apply(access_revoked("enexis", issued_before=issued_before))

    revocations.forget_expired(issued_before + LONGEST_TOKEN_SECONDS - 1)
    assert revocations.revoked("almelo", "s-1", issued_at=issued_before - 1)
    assert revocations.revoked("enexis", "", issued_at=issued_before - 1)

    revocations.forget_expired(issued_before + LONGEST_TOKEN_SECONDS + 1)
    assert not revocations.revoked("almelo", "s-1", issued_at=issued_before - 1)
    assert not revocations.revoked("enexis", "", issued_at=issued_before - 1)


def test_other_event_types_are_ignored() -> None:
    revocations = RevocationList()
    other = new_event(
        type=ACCESS_REVOKED.replace("revoked", "granted"),
        source="/redzaam/signals/access",
        subject="enexis",
        data=AccessRevoked(subject="enexis", issued_before=10**12),
    )
    revocations.apply(other)

    assert not revocations.revoked("enexis", "", issued_at=0)
