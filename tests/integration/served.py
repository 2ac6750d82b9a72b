"""One service's app, run in this process on the real servers, with an HTTP client talking to it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI


@dataclass
class Served:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> Any:
        return self.app.state.runtime.db


@asynccontextmanager
async def served(app: FastAPI, headers: dict[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's lifespan (its composition root); drops the app's database afterwards. `headers` (a signed-in
    role, usually) go with every request unless a request sets its own."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service", headers=headers) as client:
            yield client
        await app.state.runtime.client.drop_database(app.state.settings.database_name)
