"""Connecting to NATS: retried until a server answers, then reconnecting for ever."""

from __future__ import annotations

import asyncio

import nats
import nats.errors
import structlog
from nats.aio.client import Client as NatsClient

__all__ = ["connect_nats"]


async def connect_nats(
    url: str, *, name: str, wait_s: float | None = None, reconnect_wait_s: float = 0.25
) -> NatsClient:
    """Connect to NATS, trying again until it answers (for ``wait_s`` seconds; ``None``: ever).

    ``url`` may name several servers of a cluster, separated by commas. The
    connection then reconnects by itself, for ever, whenever its server goes away.

    Raises:
        OSError: no server answered within ``wait_s``.
    """
    log = structlog.get_logger("racefeed.nats").bind(url=url, client=name)
    connection: list[NatsClient] = []

    async def disconnected() -> None:
        if connection and connection[0].is_closed:
            return  # closed on purpose
        log.warning("nats_disconnected")

    async def reconnected() -> None:
        log.info("nats_reconnected")

    async def error(exc: Exception) -> None:
        log.info("nats_error", error=repr(exc))

    loop = asyncio.get_running_loop()
    deadline = None if wait_s is None else loop.time() + wait_s
    delay = 0.05
    while True:
        try:
            nc = await nats.connect(
                [server.strip() for server in url.split(",")],
                name=name,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=reconnect_wait_s,
                connect_timeout=2,
                ping_interval=5,
                max_outstanding_pings=2,
                disconnected_cb=disconnected,
                reconnected_cb=reconnected,
                error_cb=error,
            )
            connection.append(nc)
            return nc
        except (OSError, nats.errors.Error, TimeoutError) as exc:
            if deadline is not None and loop.time() >= deadline:
                raise OSError(
                    f"no NATS server answered at {url} within {wait_s:g} s: {exc}"
                ) from exc
            log.info("nats_connect_retry", error=repr(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
