"""Reads one counter from a Redzaam service's /metrics (Prometheus text), for the benchmark scripts."""

import httpx


async def metric(client: httpx.AsyncClient, name: str, event_type: str) -> float:
    """The value of `name` for the event type, 0 before the first such event."""
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith(name + "{") and f'type="{event_type}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0
