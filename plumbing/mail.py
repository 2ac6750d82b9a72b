"""E-mail notifications: a use case enqueues one, a background job sends it through SMTP.

A notification is a document in the service's `notifications` collection whose id names what it is about (for
example `referral-arrived:<referral id>`). Enqueueing the same notification again, because its trigger was
delivered again, finds that id taken and does nothing: each notification is sent once however often its trigger
comes. The job sends what is pending over one SMTP connection per round and marks each as sent; a crash between
sending and marking sends it again, with the same Message-ID, so that a mail server or client can recognise it.
No personal data goes in a subject; bodies link to the pages, where the reader signs in.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Literal

import aiosmtplib
from pydantic import BaseModel, EmailStr, Field
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from plumbing.register import Erasure, PersonalField, Term
from plumbing.settings import PlatformSettings

logger = logging.getLogger(__name__)
PENDING, SENT, FAILED = "pending", "sent", "failed"
ROUND = 100  # notifications per round, over one connection
MAX_ATTEMPTS = 10
DUPLICATE_KEY = 11000


class MailSettings(BaseModel):
    """Where notifications go out (the `smtp_*` and `mail_*` settings). Locally and in tests a real SMTP server
    on 127.0.0.1:1025 receives them."""

    host: str = "127.0.0.1"
    port: int = Field(default=1025, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: str = ""
    sender: EmailStr = "noreply@redzaam.nl"
    enabled: bool = True

    @classmethod
    def of(cls, settings: PlatformSettings) -> "MailSettings":
        """From the platform settings."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else "",
            sender=settings.mail_sender,
            enabled=settings.mail_enabled,
        )


@dataclass(frozen=True)
class Notification:
    key: str  # what it is about; the same trigger twice gives the same key
    to: str
    subject: str  # never personal data
    body: str


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.notifications.create_index([("state", 1), ("queued_at", 1)])
    await db.notifications.create_index([("sent_at", 1)])


async def prune_sent(db: AsyncDatabase[Any], days: int, now: datetime | None = None) -> int:
    """Deletes the notifications sent more than `days` ago, address and text with them, in one operation. Their
    key goes too: a trigger that comes again after that long would notify again, which is acceptable."""
    sent_before = (now or datetime.now(UTC)) - timedelta(days=days)
    result = await db.notifications.delete_many({"state": SENT, "sent_at": {"$lt": sent_before}})
    return result.deleted_count


def register_entries(subject: str, basis: str) -> tuple[PersonalField, ...]:
    """The notifications' personal fields, as each service that sends e-mail lists them in its register."""
    term = Term("{notification_retention_days} days after it was sent")
    purpose = "e-mail notifications (no personal data in them but the address)"
    return (
        PersonalField(
            "notifications", "to", subject, f"{purpose}: where it went", basis, term, erasure=Erasure.DOCUMENT
        ),
        PersonalField(
            "notifications", "body", subject, f"{purpose}: its text, with links", basis, term, erasure=Erasure.DOCUMENT
        ),
    )


async def enqueue(db: AsyncDatabase[Any], notifications: list[Notification]) -> int:
    """Queues notifications not queued before, in one write; returns how many are new."""
    if not notifications:
        return 0
    now = datetime.now(UTC)
    documents = [
        {
            "_id": item.key,
            "to": item.to,
            "subject": item.subject,
            "body": item.body,
            "state": PENDING,
            "attempts": 0,
            "queued_at": now,
            "message_id": make_msgid(domain="redzaam.nl"),
        }
        for item in notifications
    ]
    try:
        result = await db.notifications.insert_many(documents, ordered=False)
        return len(result.inserted_ids)
    except BulkWriteError as error:  # the ones queued before are duplicate keys, which is the point
        problems = error.details.get("writeErrors", [])
        if any(problem.get("code") != DUPLICATE_KEY for problem in problems):
            raise
        # counted from the errors: the local server's nInserted counts the refused documents too
        return len(documents) - len(problems)


def message(settings: MailSettings, document: dict[str, Any]) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = document["to"]
    mail["Subject"] = document["subject"]
    mail["Message-ID"] = document["message_id"]
    mail["X-Redzaam-Notification"] = document["_id"]
    mail.set_content(document["body"])
    return mail


async def send_pending(db: AsyncDatabase[Any], settings: MailSettings) -> int:
    """One round: sends up to ROUND pending notifications over one connection, marks them in one bulk write."""
    pending = await db.notifications.find({"state": PENDING}).sort("queued_at", 1).limit(ROUND).to_list()
    if not pending or not settings.enabled:
        return 0
    smtp = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=settings.security == "starttls",
        timeout=10,
    )
    marks, sent = [], 0
    async with smtp:
        if settings.username:
            await smtp.login(settings.username, settings.password)
        for document in pending:
            try:
                await smtp.send_message(message(settings, document))
            except aiosmtplib.SMTPException as error:
                attempts = document["attempts"] + 1
                state = FAILED if attempts >= MAX_ATTEMPTS else PENDING
                marks.append(UpdateOne({"_id": document["_id"]}, {"$set": {"attempts": attempts, "state": state}}))
                logger.warning("notification %s not sent: %s", document["_id"], error)
                continue
            marks.append(UpdateOne({"_id": document["_id"]}, {"$set": {"state": SENT, "sent_at": datetime.now(UTC)}}))
            sent += 1
    if marks:
        await db.notifications.bulk_write(marks, ordered=False)
    return sent


class MailJob:
    """Sends pending notifications every `interval_seconds`, and at once when woken after an enqueue."""

    def __init__(
        self, db: AsyncDatabase[Any], settings: MailSettings, interval_seconds: float = 5.0, keep_days: int = 30
    ) -> None:
        self._db = db
        self._settings = settings
        self._interval = interval_seconds
        self._keep_days = keep_days
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mail")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                while await send_pending(self._db, self._settings) == ROUND:
                    continue  # a full round: more may wait
                await prune_sent(self._db, self._keep_days)
            except (OSError, aiosmtplib.SMTPException):
                logger.warning("mail server not reachable; notifications wait for the next round")
            except Exception:
                logger.exception("sending notifications failed; trying again next round")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)


def job(db: AsyncDatabase[Any], settings: PlatformSettings) -> MailJob:
    """The mail job of a service, as its settings say."""
    return MailJob(db, MailSettings.of(settings), settings.mail_interval_seconds, settings.notification_retention_days)
