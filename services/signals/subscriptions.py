"""Every event the signals service consumes: partner systems publish signals on the intake topic."""

from services.signals.intake_events import INTAKE_TOPIC, SIGNAL_SUBMITTED

__all__ = ["INTAKE_TOPIC", "SIGNAL_SUBMITTED"]
