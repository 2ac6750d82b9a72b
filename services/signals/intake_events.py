"""What partner systems publish straight to Kafka for the signals service, which owns this schema."""

from services.signals.domain import SignalSubmission

INTAKE_TOPIC = "signals.intake"
SIGNAL_SUBMITTED = "nl.redzaam.signal.submitted"


class SignalSubmitted(SignalSubmission):
    """A creditor's early signal, as on the HTTP API. CloudEvent source `/partners/<partner-id>`; the event id is
    the idempotency key."""
