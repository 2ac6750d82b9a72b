"""What every service's web side shares: the Dutch page layout with navigation, static files, and the
operational endpoints /healthz, /readyz and /metrics."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from plumbing.access import COOPERATIVE_ROLES, ROLE_LABELS, Principal, Role, caller, csrf_token
from plumbing.errors import Refusal
from plumbing.limits import BodyLimit, RateLimiter, TextGuard
from plumbing.logs import configure_logging
from plumbing.reference import municipality_name
from plumbing.revocations import RevocationList
from plumbing.runtime import Runtime
from plumbing.settings import PlatformSettings

PLUMBING_DIR = Path(__file__).parent


@dataclass(frozen=True)
class NavigationItem:
    service: str
    label: str
    url: str
    current: bool


# which roles work in each service's pages; the navigation shows a person only those (and where to start there)
NAVIGATION_ROLES: dict[str, set[Role]] = {
    "signals": {Role.OUTREACH_WORKER, Role.DEBT_SPECIALIST, Role.ADMINISTRATOR, Role.EMPLOYER_HR},
    "referrals": {Role.OUTREACH_WORKER, Role.DEBT_SPECIALIST, Role.PARTNER_EMPLOYEE, Role.ADMINISTRATOR},
    "volunteers": {Role.VOLUNTEER_COORDINATOR, Role.ADMINISTRATOR},
    "reporting": set(COOPERATIVE_ROLES),
}
START_PAGE = {("signals", Role.ADMINISTRATOR): "/beheer", ("signals", Role.EMPLOYER_HR): "/werkgeversloket"}
# an administrator's work in the other services is their audit log and retention run (plumbing.admin_pages)
START_PAGE |= {(name, Role.ADMINISTRATOR): "/beheer/logboek" for name in ("referrals", "volunteers", "reporting")}
LINK_LABEL = {("signals", Role.EMPLOYER_HR): "Werkgeversloket"}  # an HR contact works only in the desk


def navigation(settings: PlatformSettings, role: Role | None = None) -> list[NavigationItem]:
    """The services' links; for a signed-in member of staff only the services their role works in."""
    links = [
        ("signals", "Signalen", settings.signals_url),
        ("referrals", "Verwijzingen", settings.referrals_url),
        ("volunteers", "Vrijwilligers", settings.volunteers_url),
        ("reporting", "Rapportage", settings.reporting_url),
    ]
    return [
        NavigationItem(
            name,
            LINK_LABEL.get((name, role), label) if role else label,
            url + START_PAGE.get((name, role), "/") if role else url + "/",
            name == settings.service_name,
        )
        for name, label, url in links
        if role is None or role in NAVIGATION_ROLES[name]
    ]


class Pages:
    """Renders a service's templates inside the shared layout."""

    def __init__(self, service_templates: Path, settings: PlatformSettings) -> None:
        environment = Environment(
            loader=ChoiceLoader([FileSystemLoader(service_templates), FileSystemLoader(PLUMBING_DIR / "templates")]),
            autoescape=select_autoescape(["html"]),
        )
        environment.filters["euro"] = format_euro
        environment.filters["datum"] = format_date
        environment.filters["gemeente"] = municipality_name
        self._templates = Jinja2Templates(env=environment)
        self._navigation = {role: navigation(settings, role) for role in [None, *Role]}
        self._settings = settings

    def render(
        self, request: Request, template: str, page_title: str, status_code: int = 200, **context: Any
    ) -> Response:
        principal: Principal | None = getattr(request.state, "principal", None) or caller(request)
        return self._templates.TemplateResponse(
            request,
            template,
            {
                "page_title": page_title,
                "navigation": self._navigation[principal.role if principal and principal.is_staff else None],
                "principal": principal,
                "csrf": csrf_token(self._settings, principal) if principal else "",
                "sign_in_url": self._settings.sign_in_url,
                "help_url": f"{self._settings.signals_url}/hulp-vragen",  # residents' public self-test
                "sign_out_url": f"{self._settings.signals_url}/uitloggen",
                "second_factor_url": f"{self._settings.signals_url}/account/tweestaps",
                "role_labels": ROLE_LABELS,
                **context,
            },
            status_code=status_code,
        )


def format_euro(cents: int) -> str:
    """Dutch notation: € 1.234,50, and − € 1.234,50 for a negative amount."""
    euros, rest = divmod(abs(int(cents)), 100)
    return ("− " if cents < 0 else "") + f"€ {euros:,}".replace(",", ".") + f",{rest:02d}"


def format_date(value: date | str | None) -> str:
    """Dutch day-month-year; accepts dates, datetimes and ISO strings."""
    if not value:
        return "—"
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return day.strftime("%d-%m-%Y")


async def get_runtime(request: Request) -> Runtime:
    """Async, as every dependency here: FastAPI runs a plain function in a thread pool, a thread hop per request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


S = TypeVar("S", bound=PlatformSettings)


def settings_of(kind: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency giving the service's settings as its own class: each service declares
    `SettingsDep = Annotated[ItsSettings, Depends(settings_of(ItsSettings))]` in its settings module."""

    async def settings(request: Request) -> S:
        found = request.app.state.settings
        if not isinstance(found, kind):
            raise TypeError(f"this app runs with {type(found).__name__}, not {kind.__name__}")
        return found

    return settings


operations = APIRouter(tags=["operations"])


@operations.get("/healthz", summary="Alive: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@operations.get("/readyz", summary="Ready: MongoDB and Kafka reachable, consumer running")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks = await runtime.readiness()
    ready = all(result == "ok" for result in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


@operations.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(runtime: RuntimeDep) -> Response:
    return Response(runtime.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")


def install(app: FastAPI) -> None:
    app.include_router(operations)
    app.mount("/static", StaticFiles(directory=PLUMBING_DIR / "static"), name="static")
    app.add_exception_handler(StarletteHTTPException, page_error)
    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(RequestValidationError, page_error)
    app.add_exception_handler(Exception, page_error)


# what a person reads when a page cannot be shown, per status; API routes keep their JSON
PAGE_ERRORS = {
    400: ("Verzoek niet begrepen", "De pagina kon dit verzoek niet verwerken."),
    403: ("Geen toegang", "Uw rol geeft geen toegang tot deze pagina of deze handeling."),
    404: ("Niet gevonden", "Deze pagina of dit gegeven bestaat niet (meer)."),
    405: ("Niet mogelijk", "Deze handeling kan op deze pagina niet."),
    409: (
        "Gewijzigd of al gedaan",
        "Dit is intussen gewijzigd of al gedaan. Laad de pagina opnieuw en kijk wat er nu staat.",
    ),
    413: ("Te groot", "Wat u verstuurde is te groot."),
    422: ("Niet volledig of niet juist", "Een of meer gegevens ontbreken of kloppen niet. Ga terug en controleer ze."),
    429: ("Even wachten", "U deed dit te vaak achter elkaar. Wacht even en probeer het dan opnieuw."),
    500: (
        "Er ging iets mis",
        "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het misgaan, meld het dan.",
    ),
}


async def page_error(request: Request, error: Exception) -> Response:
    """Pages answer with a Dutch page that says what happened and offers a way back; API routes, the OpenAPI
    document and redirects (sign in first) keep the framework's answers."""
    if isinstance(error, StarletteHTTPException):
        code, detail, headers = error.status_code, str(error.detail), dict(error.headers or {})
    elif isinstance(error, RequestValidationError):
        code, detail, headers = 422, "; ".join(str(problem["loc"][-1]) for problem in error.errors()), {}
    else:
        logging.getLogger(__name__).exception("page failed", exc_info=error)
        code, detail, headers = 500, "", {}
    path = request.url.path
    if path.startswith(("/api/", "/docs", "/openapi", "/metrics", "/healthz", "/readyz")) or code < 400:
        if isinstance(error, StarletteHTTPException):
            return await http_exception_handler(request, error)
        if isinstance(error, RequestValidationError):
            return await request_validation_exception_handler(request, error)
        return JSONResponse({"detail": "internal error"}, status_code=500)
    title, explanation = PAGE_ERRORS.get(code, PAGE_ERRORS[500 if code >= 500 else 400])
    pages: Pages = request.app.state.pages
    response = pages.render(
        request,
        "error.html",
        title,
        status_code=code,
        explanation=explanation,
        detail=detail if code != 500 else "",
        back="/",
        sign_in=code in (401, 403),
    )
    response.headers.update({name: value for name, value in headers.items() if name.lower() != "content-type"})
    return response


async def refused(request: Request, error: Exception) -> Response:
    """The one place a use case's refusal (plumbing.errors) becomes HTTP: its status and its detail, as JSON for
    API routes and as the Dutch error page for pages."""
    if not isinstance(error, Refusal):
        return await page_error(request, error)
    return await page_error(request, StarletteHTTPException(error.status_code, error.detail))


Setup = Callable[[Runtime], Awaitable[None]]


def service_app(
    *,
    settings: PlatformSettings,
    title: str,
    description: str,
    templates: Path,
    routers: list[APIRouter],
    publishes: list[str],
    setup: Setup,
) -> FastAPI:
    """A service's FastAPI app whose lifespan is its composition root: connect, let the service `setup` its
    indexes, subscriptions and outbox relay, start them, and close it all again on shutdown (SIGTERM)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        runtime = Runtime(settings, revocations=revocations)
        await runtime.open(publishes=[settings.topic(name) for name in publishes])
        await setup(runtime)
        await runtime.start()
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    revocations = RevocationList()
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.revocations = revocations
    app.add_middleware(TextGuard)  # inside BodyLimit (added after it, so outer): it reads bounded bodies only
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.state.partner_limiter = RateLimiter(settings.partner_requests_per_minute)
    app.state.settings = settings
    app.state.pages = Pages(templates, settings)
    install(app)
    for router in routers:
        app.include_router(router)
    app.state.routers = [operations, *routers]  # what the service serves, for checks such as the access matrix
    return app


def render_page(request: Request, template: str, page_title: str, **context: Any) -> Response:
    pages: Pages = request.app.state.pages
    return pages.render(request, template, page_title, **context)
