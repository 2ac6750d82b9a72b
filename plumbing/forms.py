"""From a model's refusal to a Dutch message beside each form field at fault: what the pages of every service do with
a pydantic ValidationError, written once. A page names its fields in a table, the model's field -> (the form's
field, the Dutch message); the first problem of a field is the one shown."""

from collections.abc import Callable, Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails

FieldMessages = Mapping[str, tuple[str, str]]
Locate = Callable[[ErrorDetails], str]
GENERAL = ("", "Controleer de gegevens.")  # a problem of no field in the table: shown above the form


def outermost_field(problem: ErrorDetails) -> str:
    """The model's field a problem is about: the first name in its location ('' for the model as a whole)."""
    names = [str(part) for part in problem["loc"] if not isinstance(part, int)]
    return names[0] if names else ""


def messages_beside_fields(
    error: ValidationError,
    fields: FieldMessages,
    *,
    locate: Locate = outermost_field,
    fallback: tuple[str, str] | None = GENERAL,
    special: Callable[[ErrorDetails], tuple[str, str] | None] = lambda problem: None,
) -> dict[str, str]:
    """The form's field -> its Dutch message. `special` may name a problem's field and message before the table
    does (a rule across fields, a kind of problem with words of its own); with `fallback` None, a problem of a field
    the table does not name is left out."""
    found: dict[str, str] = {}
    for problem in error.errors():
        named = special(problem) or fields.get(locate(problem), fallback)
        if named is not None:
            found.setdefault(*named)
    return found
