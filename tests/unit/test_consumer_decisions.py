from aiokafka.errors import KafkaConnectionError
from pymongo.errors import AutoReconnect

from plumbing.events import InvalidEvent
from plumbing.kafka import DeadLetter, Origin, PermanentError, Retry, after_failure, dead_letter_headers


def test_a_failing_handler_is_retried_with_growing_backoff() -> None:
    first = after_failure(RuntimeError("boom"), attempt=1, max_attempts=5, backoff_seconds=0.1)
    third = after_failure(RuntimeError("boom"), attempt=3, max_attempts=5, backoff_seconds=0.1)
    assert first == Retry(0.1)
    assert third == Retry(0.4)


def test_failure_on_the_last_attempt_goes_to_the_dead_letter_topic() -> None:
    decision = after_failure(RuntimeError("boom"), attempt=5, max_attempts=5, backoff_seconds=0.1)
    assert isinstance(decision, DeadLetter)
    assert "5 attempts" in decision.reason and "boom" in decision.reason


def test_an_outage_of_mongodb_or_kafka_is_waited_out_and_never_dead_lettered() -> None:
    for outage in (AutoReconnect("mongodb restarting"), KafkaConnectionError("broker down"), ConnectionError("reset")):
        decisions = [after_failure(outage, attempt, max_attempts=5, backoff_seconds=0.1) for attempt in range(1, 40)]
        assert all(isinstance(decision, Retry) for decision in decisions), outage
        assert max(decision.delay_seconds for decision in decisions if isinstance(decision, Retry)) == 5.0


def test_invalid_event_is_dead_lettered_at_once() -> None:
    decision = after_failure(InvalidEvent("data.amount: required"), attempt=1, max_attempts=5, backoff_seconds=1)
    assert isinstance(decision, DeadLetter)
    assert "data.amount" in decision.reason


def test_permanent_handler_error_is_dead_lettered_at_once() -> None:
    decision = after_failure(PermanentError("offer gone"), attempt=1, max_attempts=5, backoff_seconds=1)
    assert isinstance(decision, DeadLetter)


def test_dead_letter_headers_carry_the_origin_and_the_error() -> None:
    headers = dict(dead_letter_headers(Origin("redzaam.signals.events", 3, 42), "boom", "redzaam.reporting"))
    assert headers["redzaam_dlq_topic"] == b"redzaam.signals.events"
    assert headers["redzaam_dlq_partition"] == b"3"
    assert headers["redzaam_dlq_offset"] == b"42"
    assert headers["redzaam_dlq_error"] == b"boom"
    assert headers["redzaam_dlq_consumer_group"] == b"redzaam.reporting"
