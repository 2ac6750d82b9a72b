"""The few kinds of refusal every service's use cases raise, each with the HTTP status it answers with.

A service's own exceptions subclass one of these and say in their message what went wrong (naming the field at
fault where there is one). plumbing.web maps them to HTTP in one place: API routes answer JSON `{"detail": ...}`,
pages the Dutch error page. An edge catches one only to do something else than that (a page showing a message
beside the field, say)."""

from typing import ClassVar


class Refusal(Exception):
    """A request the service refuses; `detail` is what the caller reads."""

    status_code: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(Refusal):
    """What the request names does not exist (or not for this caller)."""

    status_code = 404


class Conflict(Refusal):
    """The request does not fit the present state: already there, no longer possible, or changed meanwhile."""

    status_code = 409


class Forbidden(Refusal):
    """The caller may not do this."""

    status_code = 403


class Invalid(Refusal):
    """A value the models could not check on their own is wrong; `field` names it."""

    status_code = 422

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
