"""A use case's refusal (plumbing.errors) becomes HTTP in one place: JSON for API routes, the Dutch page for pages;
and SettingsDep gives a route its service's settings."""

from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from plumbing.errors import Conflict, Forbidden, Invalid, NotFound
from plumbing.revocations import RevocationList
from plumbing.settings import PlatformSettings
from plumbing.web import Pages, install, settings_of


class OneSettings(PlatformSettings):
    motto: str = "samen"


class OtherSettings(PlatformSettings):
    pass


class CaseGone(NotFound):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} does not exist")


REFUSALS = {
    "gone": CaseGone("c-1"),
    "taken": Conflict("username: piet exists already"),
    "forbidden": Forbidden("role: not yours"),
    "invalid": Invalid("on", "lies in the future"),
}
OneSettingsDep = Annotated[OneSettings, Depends(settings_of(OneSettings))]
OtherSettingsDep = Annotated[OtherSettings, Depends(settings_of(OtherSettings))]


def app_that_refuses(tmp_path: Path) -> FastAPI:
    router = APIRouter()

    @router.get("/api/v1/{what}")
    async def api(what: str) -> None:
        raise REFUSALS[what]

    @router.get("/pagina/{what}")
    async def page(what: str) -> None:
        raise REFUSALS[what]

    @router.get("/api/v1/instellingen/motto")
    async def motto(settings: OneSettingsDep) -> str:
        return settings.motto

    @router.get("/api/v1/instellingen/andere")
    async def other(settings: OtherSettingsDep) -> str:
        return settings.service_name

    settings = OneSettings(dev_mode=True)
    app = FastAPI()
    app.state.settings = settings
    app.state.revocations = RevocationList()
    app.state.pages = Pages(tmp_path, settings)
    install(app)
    app.include_router(router)
    return app


@pytest.fixture
async def client(tmp_path: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app_that_refuses(tmp_path), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://service")


@pytest.mark.parametrize(
    ("what", "code", "detail"),
    [
        ("gone", 404, "case c-1 does not exist"),
        ("taken", 409, "username: piet exists already"),
        ("forbidden", 403, "role: not yours"),
        ("invalid", 422, "on: lies in the future"),
    ],
)
async def test_an_api_route_answers_a_refusal_with_its_status_and_detail_as_json(
    client: httpx.AsyncClient, what: str, code: int, detail: str
) -> None:
    answer = await client.get(f"/api/v1/{what}")
    assert (answer.status_code, answer.json()) == (code, {"detail": detail})


@pytest.mark.parametrize(
    ("what", "code", "title"), [("gone", 404, "Niet gevonden"), ("taken", 409, "Gewijzigd of al gedaan")]
)
async def test_a_page_answers_a_refusal_with_the_dutch_error_page(
    client: httpx.AsyncClient, what: str, code: int, title: str
) -> None:
    answer = await client.get(f"/pagina/{what}")
    assert answer.status_code == code and answer.headers["content-type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in answer.text and 'lang="nl"' in answer.text


async def test_settings_dep_gives_the_services_own_settings_and_refuses_another_class(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/instellingen/motto")).json() == "samen"
    assert (await client.get("/api/v1/instellingen/andere")).status_code == 500
