"""Fixtures of the contract suite: one racefeed per deployment kind.

Every test here runs against each deployment (``tests.kit.deployments``): the same
behaviour is asked of the embedded server, of the server over a JSONL log, and of
a director with two gateways over a real NATS JetStream server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.kit.deployments import KINDS, Deployment, deploy

__all__ = ["Deploy", "deployment", "kind"]

Deploy = Callable[..., AbstractAsyncContextManager[Deployment]]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """Each deployment kind in turn."""
    value: str = request.param
    return value


@pytest.fixture
def deployment(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Deploy:
    """``async with deployment(sessions=[...], config=..., clock=...) as d``: this kind running."""
    nats: Any = None
    if kind == "nats":
        url = request.getfixturevalue("nats_url")
        stream, prefix = request.getfixturevalue("stream_names")
        nats = (url, stream, prefix)
    return functools.partial(deploy, kind, tmp_path=tmp_path, nats=nats)
