"""Access that ended before its tokens expired: a signed-out session, a deactivated account, a member that left.

Tokens are checked by each service on its own (see `access`), so ending access early needs every process of every
service to hear of it. The signals service announces it on the revocations topic; each process reads that topic
whole, without a consumer group, from as far back as a token can live, and keeps what still matters in memory.
A revoked token is refused everywhere within about a second.
"""

import asyncio
import contextlib
import logging
import time

from aiokafka import AIOKafkaConsumer
from pydantic import BaseModel, ValidationError

from plumbing.events import CloudEvent, InvalidEvent, decode, new_event

logger = logging.getLogger(__name__)

REVOCATIONS_TOPIC = "access.revocations"
ACCESS_REVOKED = "nl.redzaam.access.revoked"
LONGEST_TOKEN_SECONDS = 8 * 60 * 60  # a staff session; partner tokens live shorter
CATCH_UP_SECONDS = 10.0


class AccessRevoked(BaseModel):
    """A sign-out ends `session` of `subject`; without a session, every token of `subject` issued before
    `issued_before` (epoch seconds) ends: an account or member that is no longer active, or a rotated secret."""

    subject: str
    session: str | None = None
    issued_before: int


def access_revoked(subject: str, session: str | None = None, issued_before: int | None = None) -> CloudEvent:
    """The event ending `session` of `subject`, or else the tokens of `subject` issued before `issued_before`; by
    default those issued until the end of this second, which suits a subject that can get no new token."""
    before = int(time.time()) + 1 if issued_before is None else issued_before
    data = AccessRevoked(subject=subject, session=session, issued_before=before)
    return new_event(type=ACCESS_REVOKED, source="/redzaam/signals/access", subject=subject, data=data)


class RevocationList:
    """What this process knows to be revoked; `revoked` is a dictionary lookup, cheap enough for every request.
    Entries are forgotten once every token they cover has expired anyway."""

    def __init__(self) -> None:
        self._sessions: dict[str, float] = {}  # session -> when to forget it
        self._subjects: dict[str, int] = {}  # subject -> tokens issued before this are revoked

    def revoked(self, subject: str, session: str, issued_at: int) -> bool:
        return (bool(session) and session in self._sessions) or issued_at < self._subjects.get(subject, 0)

    def apply(self, event: CloudEvent) -> None:
        if event.type != ACCESS_REVOKED:
            return
        revocation = AccessRevoked.model_validate(event.data)
        if revocation.session:
            self._sessions[revocation.session] = revocation.issued_before + LONGEST_TOKEN_SECONDS
        else:
            known = self._subjects.get(revocation.subject, 0)
            self._subjects[revocation.subject] = max(known, revocation.issued_before)

    def forget_expired(self, now: float) -> None:
        for session in [session for session, forget_after in self._sessions.items() if forget_after < now]:
            del self._sessions[session]
        oldest_valid = now - LONGEST_TOKEN_SECONDS
        for subject in [subject for subject, before in self._subjects.items() if before < oldest_valid]:
            del self._subjects[subject]


class RevocationReader:
    """Reads the revocations topic into a `RevocationList` for as long as the process runs."""

    def __init__(self, bootstrap: str, topic: str, revocations: RevocationList) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._revocations = revocations
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Reads what was revoked within a token's lifetime before serving; gives up waiting after a while (the
        rest follows in the background) so that a slow broker does not keep the service down."""
        self._consumer = AIOKafkaConsumer(
            self._topic,
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            group_id=None,  # every partition, in every process
            auto_offset_reset="latest",
        )
        await self._consumer.start()
        try:
            await asyncio.wait_for(self._catch_up(), CATCH_UP_SECONDS)
        except TimeoutError:
            logger.warning("revocations not read to the end before start; reading on", extra={"topic": self._topic})
        self._task = asyncio.create_task(self._read_on(), name="revocations")

    async def _catch_up(self) -> None:
        consumer = self._require_consumer()
        while not consumer.assignment():  # the partitions are known once the topic's metadata is in
            await self._read_batch()
        partitions = list(consumer.assignment())
        since_ms = int((time.time() - LONGEST_TOKEN_SECONDS) * 1000)
        starts = await consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
        for partition in partitions:
            found = starts.get(partition)
            if found is not None:  # else nothing that recent: only what comes next matters
                consumer.seek(partition, found.offset)
        ends = await consumer.end_offsets(partitions)
        for partition, end in ends.items():
            while await consumer.position(partition) < end:
                await self._read_batch()

    async def _read_on(self) -> None:
        while True:
            try:
                await self._read_batch()
                self._revocations.forget_expired(time.time())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reading revocations failed; retrying")
                await asyncio.sleep(1)

    async def _read_batch(self) -> None:
        batches = await self._require_consumer().getmany(timeout_ms=500)
        for records in batches.values():
            for record in records:
                try:
                    self._revocations.apply(decode(record.value))
                except (InvalidEvent, ValidationError) as error:
                    logger.error("unreadable revocation skipped", extra={"offset": record.offset, "error": str(error)})

    def _require_consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("revocation reader not started")
        return self._consumer

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
