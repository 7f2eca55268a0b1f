"""The public surface is deliberate: every module declares ``__all__`` and it is accurate."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import feed


def all_modules() -> list[str]:
    names = ["feed"]
    for info in pkgutil.walk_packages(feed.__path__, prefix="feed."):
        if info.name.endswith("__main__") or info.name.startswith("feed._"):
            continue
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", all_modules())
def test_every_module_declares_what_it_exports(name: str) -> None:
    """Each module has ``__all__``, and every name in it exists."""
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing = [symbol for symbol in exported if not hasattr(module, symbol)]
    assert missing == []


def test_the_top_level_package_reexports_the_core() -> None:
    """``import feed`` gives the event types, codec and errors without further imports."""
    assert {"Event", "codec", "events", "timing", "ScenarioInvalid"} <= set(feed.__all__)
