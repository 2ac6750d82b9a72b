"""The Kafka door for help-offer partners: they answer the referrals to their offers as events, through the same use
case (`handling.take_steps`, a poll at a time) and with the same rules as `POST /api/v1/referrals/{id}/accept ·
decline · start · complete`.

A partner publishes a CloudEvent `nl.redzaam.referral.answered` with source `/partners/<partner-id>` on its own
intake topic `<prefix>.referrals.intake.<partner-id>`, which Kafka's ACLs let only that partner write (a topic of
the referrals service's own rather than the partner's signals intake: that one carries creditors' batches of up to
50,000 signals, which this service would read only to skip them; and here every type it does not know can be
dead-lettered, since nothing else reads the topic). The event id is the idempotency key. An answer that can never
be applied (another partner's referral, an illegal step, no place free, a field missing) goes to the dead-letter
topic with the field at fault.

A poll costs one read of the answers already applied and one of the referrals named (both `$in`), the use case
once for all the answers (`handling.take_steps`: a read of the referrals and of their offers, a conditional update
per offer whose places change, one bulk write of the referrals with their events, the re-matching of places given
back, one insert of the audit entries), and one insert of the answers applied. What loses a race twice (a
referral changed meanwhile) makes the poll be tried again, where what was applied is recognised as applied.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pymongo.errors import BulkWriteError

from plumbing.access import Principal, Scope
from plumbing.events import CloudEvent, InvalidEvent
from plumbing.kafka import EVERY_TYPE, Delivered, EventConsumer
from plumbing.register import PERSONAL
from plumbing.runtime import Runtime
from plumbing.settings import PlatformSettings
from services.referrals.domain import DeclineCategory, ReferralState, Result
from services.referrals.handling import Asked, OtherPartnersReferral, Step, take_steps
from services.referrals.lifecycle import Conflict, ReferralNotFound
from services.referrals.subscriptions import REFERRAL_ANSWERED

__all__ = ["REFERRAL_ANSWERED", "ReferralAnswered", "on_answers", "subscribe_answers"]

INTAKE_TOPIC = "referrals.intake"
PARTNER_SOURCE_PREFIX = "/partners/"
WANTED = {
    "accept": ReferralState.ACCEPTED,
    "decline": ReferralState.DECLINED,
    "start": ReferralState.IN_PROGRESS,
    "complete": ReferralState.COMPLETED,
}


def intake_topic(settings: PlatformSettings, partner_id: str) -> str:
    """The topic only this partner may write its answers to (Kafka ACL on its SASL user)."""
    return settings.topic(f"{INTAKE_TOPIC}.{partner_id}")


class ReferralAnswered(BaseModel):
    """A help-offer partner's answer to a referral to one of its offers."""

    model_config = ConfigDict(extra="forbid")

    referral_id: str = Field(min_length=1, max_length=64, examples=["ref-0123456789abcdef"])
    answer: Literal["accept", "decline", "start", "complete"] = Field(
        description="accept (holds a place), decline (with a reason), start, complete (with a result).",
        examples=["accept"],
    )
    reason: str | None = Field(
        default=None, min_length=1, max_length=500, json_schema_extra=PERSONAL, examples=["geen plek meer"]
    )
    category: DeclineCategory | None = Field(
        default=None, description="Why it was declined, as a category the outreach worker sees.", examples=["other"]
    )
    result: Result | None = Field(default=None, description="How the help ended (complete).", examples=["stable"])

    @model_validator(mode="after")
    def what_the_answer_needs(self) -> "ReferralAnswered":
        if self.answer == "decline" and not self.reason:
            raise ValueError("reason: a decline needs a reason")
        if self.answer == "complete" and self.result is None:
            raise ValueError("result: a completion needs a result")
        return self

    def step(self) -> Step:
        category = (self.category or DeclineCategory.OTHER) if self.answer == "decline" else None
        return Step(WANTED[self.answer], reason=self.reason or "", result=self.result, category=category)


def partner_of(event: CloudEvent, topic: str, settings: PlatformSettings) -> tuple[str, str]:
    """The partner whose topic this is, and why the event may not come from it ("" when it may)."""
    owner = topic.removeprefix(settings.topic(INTAKE_TOPIC) + ".")
    if event.source != f"{PARTNER_SOURCE_PREFIX}{owner}":
        return owner, f"source: {event.source!r} does not match the topic of partner {owner} it came on"
    return owner, ""


def partner_principal(partner_id: str) -> Principal:
    """The partner as the use case sees it: Kafka authenticated it as the only writer of its topic."""
    return Principal(
        kind="partner",
        subject=partner_id,
        organisation=partner_id,
        scopes=frozenset({Scope.HANDLE_REFERRALS.value}),
    )


def applied_already(referral: dict[str, Any] | None, partner_id: str, step: Step) -> bool:
    """The answer's effect is stored already (an answer redelivered after its effect but before it was logged)."""
    if referral is None:
        return False
    by = f"partner:{partner_id}"
    return any(entry.get("state") == step.wanted.value and entry.get("by") == by for entry in referral["history"])


async def on_answers(runtime: Runtime, settings: PlatformSettings, batch: list[Delivered]) -> Mapping[int, str]:
    """A poll of partners' answers; returns the ones rejected for good, by index, naming the field at fault."""
    db = runtime.db
    rejected: dict[int, str] = {}
    answers: list[tuple[int, str, str, ReferralAnswered]] = []
    for index, delivered in enumerate(batch):
        partner_id, problem = partner_of(delivered.event, delivered.origin.topic, settings)
        if delivered.event.type != REFERRAL_ANSWERED:
            problem = f"type: {delivered.event.type!r} is not taken here; answers are {REFERRAL_ANSWERED!r}"
        if problem:
            rejected[index] = problem
            continue
        try:
            answer = delivered.event.data_as(ReferralAnswered)
        except InvalidEvent as error:
            rejected[index] = f"InvalidEvent: {error}"
            continue
        answers.append((index, partner_id, f"{partner_id}:{delivered.event.id}", answer))
    keys = [key for _, _, key, _ in answers]
    seen = {done["_id"] async for done in db.partner_answers.find({"_id": {"$in": keys}}, {"_id": 1})}
    named = sorted({answer.referral_id for _, _, key, answer in answers if key not in seen})
    referrals = {
        referral["_id"]: referral
        async for referral in db.referrals.find({"_id": {"$in": named}}, {"history.state": 1, "history.by": 1})
    }
    applied: list[dict[str, Any]] = []
    asked: list[tuple[int, str, ReferralAnswered]] = []
    for index, partner_id, key, answer in answers:
        if key in seen:  # applied before, or earlier in this poll: the same event delivered twice
            continue
        seen.add(key)
        if applied_already(referrals.get(answer.referral_id), partner_id, answer.step()):
            applied.append(_logged(key, partner_id, answer))
        elif answer.referral_id not in referrals:
            rejected[index] = f"data.referral_id: referral {answer.referral_id} does not exist"
        else:
            asked.append((index, key, answer))
    partners = {index: partner_id for index, partner_id, _, _ in answers}
    async with runtime.unit_of_work() as work:  # each step audited in its partner's name
        outcomes = await take_steps(
            work,
            settings,
            [
                Asked(answer.referral_id, partner_principal(partners[index]), answer.step())
                for index, _, answer in asked
            ],
        )
    raced: Conflict | None = None
    for (index, key, answer), outcome in zip(asked, outcomes, strict=True):
        if isinstance(outcome, tuple):
            applied.append(_logged(key, partners[index], answer))
        elif isinstance(outcome, Conflict):
            raced = outcome
        else:
            rejected[index] = _why(answer, outcome)
    if applied:
        try:
            await db.partner_answers.insert_many(applied, ordered=False)
        except BulkWriteError as error:  # logged by an earlier delivery meanwhile
            if any(problem.get("code") != 11000 for problem in error.details.get("writeErrors", [])):
                raise
    if raced is not None:  # lost a race twice: the poll is tried again, where what was applied is known as such
        raise raced
    return rejected


def _why(answer: ReferralAnswered, refusal: Exception) -> str:
    """Why an answer can never be applied, naming the field at fault."""
    if isinstance(refusal, ReferralNotFound):
        return f"data.referral_id: referral {answer.referral_id} does not exist"
    if isinstance(refusal, OtherPartnersReferral):
        return f"data.referral_id: referral {answer.referral_id} is addressed to another partner's offer"
    return f"data.answer: {refusal}"


def _logged(key: str, partner_id: str, answer: ReferralAnswered) -> dict[str, Any]:
    return {
        "_id": key,
        "partner": partner_id,
        "referral_id": answer.referral_id,
        "answer": answer.answer,
        "at": datetime.now(UTC),
    }


def subscribe_answers(runtime: Runtime, settings: PlatformSettings) -> None:
    """Every partner's intake topic, as one consumer group of its own; a partner's topic that appears later (a new
    member) is picked up within seconds. Every type is handed to `on_answers`, which takes only answers."""

    async def handle(batch: list[Delivered]) -> Mapping[int, str]:
        return await on_answers(runtime, settings, batch)

    runtime.consumers.append(
        EventConsumer(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.consumer_group + ".partner-answers",
            topics=[],
            handlers={},
            batch_handlers={EVERY_TYPE: handle},
            pattern=rf"^{re.escape(settings.topic(INTAKE_TOPIC))}\.[a-z0-9-]+$",
            publisher=runtime.publisher,
            dead_letter_topic=settings.dead_letter_topic,
            metrics=runtime.metrics,
            max_attempts=settings.consumer_max_attempts,
            backoff_seconds=settings.consumer_retry_backoff_seconds,
        )
    )
