"""The import rules that keep each concern in one obvious place, read from the source with `ast`:

- pages modules (`*_pages.py`, `*/pages.py`) and API modules (`*_api.py`, `*/api.py`) never import each other:
  both call the same use case, so a flow is not written twice;
- domain modules do no I/O: nothing they import, directly or through the project's own modules, reaches a
  database, broker, web framework or mail client;
- a service never imports another service's package: services talk through events and their HTTP APIs.
"""

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The rules of each service, which the tests of the domain run without any server.
DOMAIN_MODULES = {
    "services.signals.domain",
    "services.signals.rules",
    "services.signals.calendar",
    "services.signals.bundling",
    "services.signals.events",
    "services.signals.labels",
    "services.referrals.domain",
    "services.referrals.matching",
    "services.referrals.needs",
    "services.referrals.events",
    "services.referrals.labels",
    "services.volunteers.domain",
    "services.volunteers.events",
    "services.reporting.facts",
    "services.reporting.spans",
    "services.reporting.lab.mkba",
}
# Not listed, though they hold rules: services.reporting.targets, which reads a Projection from the projection store,
# and services.reporting.lab.portfolio (with it services.reporting.events), whose KPIs (lab.kpis) read it too. Who is
# who (Role, Principal) comes from plumbing.principals, which holds no web framework.
# Packages that talk to the outside world (or serve HTTP); a domain module reaches none of them.
IO_PACKAGES = {
    "pymongo",
    "motor",
    "aiokafka",
    "confluent_kafka",
    "kafka",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "smtplib",
    "aiosmtplib",
    "aiosmtpd",
    "socket",
    "jinja2",
}
OWN_PACKAGES = ("services", "plumbing")


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    rule: str


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_under(root: Path) -> dict[str, Path]:
    return {
        module_name(path, root): path
        for package in OWN_PACKAGES
        if (root / package).is_dir()
        for path in sorted((root / package).rglob("*.py"))
    }


def imports_of(path: Path, known: Iterable[str]) -> set[str]:
    """The modules a source file imports: for `from package import name` the submodule package.name when it is
    one of `known`, else the package."""
    names = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(
                f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in names
            )
    return found


def is_pages(module: str) -> bool:
    return module.endswith("_pages") or module.endswith(".pages")


def is_api(module: str) -> bool:
    return module.endswith("_api") or module.endswith(".api")


def service_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def violations(root: Path, domain_modules: Iterable[str]) -> list[Violation]:
    modules = modules_under(root)
    graph = {name: imports_of(path, modules) for name, path in modules.items()}
    found: list[Violation] = []
    for module, imported in graph.items():
        for other in sorted(imported):
            if (is_pages(module) and is_api(other)) or (is_api(module) and is_pages(other)):
                found.append(Violation(module, other, "pages and API modules never import each other"))
            own, theirs = service_of(module), service_of(other)
            if own and theirs and own != theirs:
                found.append(Violation(module, other, "a service never imports another service's package"))
    for module in domain_modules:
        for reached in sorted(_reaches(module, graph)):
            found.append(Violation(module, reached, "a domain module does no I/O"))
    return found


def _reaches(start: str, graph: dict[str, set[str]]) -> set[str]:
    """The I/O packages reachable from a module through its imports and those of the project's own modules."""
    seen, todo, io = {start}, [start], set()
    while todo:
        for imported in graph.get(todo.pop(), set()):
            top = imported.split(".")[0]
            if top in IO_PACKAGES:
                io.add(imported)
            elif top in OWN_PACKAGES and imported in graph and imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return io


def test_the_tree_keeps_the_import_rules() -> None:
    assert violations(ROOT, DOMAIN_MODULES) == []


def test_every_listed_domain_module_exists() -> None:
    assert not DOMAIN_MODULES - set(modules_under(ROOT))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"services/shop/orders_pages.py": "from services.shop.orders_api import place\n"},
            Violation(
                "services.shop.orders_pages",
                "services.shop.orders_api",
                "pages and API modules never import each other",
            ),
        ),
        (
            {"services/shop/lab/api.py": "from services.shop.lab import pages\n"},
            Violation(
                "services.shop.lab.api", "services.shop.lab.pages", "pages and API modules never import each other"
            ),
        ),
        (
            {"services/shop/domain.py": "import pymongo\n"},
            Violation("services.shop.domain", "pymongo", "a domain module does no I/O"),
        ),
        (
            {
                "services/shop/domain.py": "from services.shop.store import save\n",
                "services/shop/store.py": "from fastapi import Request\n",
            },
            Violation("services.shop.domain", "fastapi", "a domain module does no I/O"),
        ),
        (
            {"services/shop/placing.py": "from services.till.domain import Price\n"},
            Violation(
                "services.shop.placing", "services.till.domain", "a service never imports another service's package"
            ),
        ),
    ],
)
def test_a_violation_in_a_source_is_found(tmp_path: Path, files: dict[str, str], expected: Violation) -> None:
    sources = {
        "services/__init__.py": "",
        "services/shop/__init__.py": "",
        "services/shop/lab/__init__.py": "",
        "services/shop/lab/pages.py": "",
        "services/shop/orders_api.py": "def place() -> None: ...\n",
        "services/till/__init__.py": "",
        "services/till/domain.py": "Price = int\n",
        **files,
    }
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    domain = {"services.shop.domain"} if "services/shop/domain.py" in files else set()
    assert violations(tmp_path, domain) == [expected]
