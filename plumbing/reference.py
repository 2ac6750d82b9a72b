"""Reference data every service may show: the municipalities of the cooperative's region, by CBS gemeentecode.

The region is data, not code: `plumbing/region.toml`, or the file that `REDZAAM_REGION_FILE` names (read once per
process). Every municipality code that enters the platform from outside (a request body, a query parameter, a
partner's event) is a `Municipality`, which refuses a code that is not one of the region's.
"""

import functools
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

DEFAULT_REGION_FILE = Path(__file__).with_name("region.toml")
REGION_FILE_VARIABLE = "REDZAAM_REGION_FILE"
CBS_CODE = re.compile(r"^GM\d{4}$")


def load_region(path: Path) -> dict[str, str]:
    """The municipalities a region file lists, code to name; a clear error when the file is not one."""
    try:
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("municipalities")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: not a readable region file ({error})") from error
    if not isinstance(listed, dict) or not listed:
        raise ValueError(f"{path}: needs a [municipalities] table of CBS gemeentecode = name")
    wrong = [f"{code} = {name!r}" for code, name in listed.items() if not CBS_CODE.match(code) or not str(name).strip()]
    if wrong:
        raise ValueError(f"{path}: not a CBS gemeentecode with a name: {', '.join(wrong)}")
    return {code: str(name).strip() for code, name in sorted(listed.items())}


def region_file() -> Path:
    return Path(os.environ.get(REGION_FILE_VARIABLE) or DEFAULT_REGION_FILE)


@functools.cache
def municipalities() -> dict[str, str]:
    """The region's municipalities, code to name, in code order."""
    return load_region(region_file())


def municipality_name(code: str) -> str:
    """The name a page shows for a code; the code itself for one the region does not (or no longer) list."""
    return municipalities().get(code, code)


def _in_region(code: str) -> str:
    if code not in municipalities():
        raise PydanticCustomError("not_in_region", "{code} is not a municipality of the region", {"code": code})
    return code


Municipality = Annotated[
    str,
    AfterValidator(_in_region),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^GM\d{4}$",
            "description": "CBS gemeentecode of a municipality of the region",
            "examples": ["GM0141"],
        }
    ),
]
"""A CBS gemeentecode of one of the region's municipalities; any other code is refused (422 naming the field)."""
