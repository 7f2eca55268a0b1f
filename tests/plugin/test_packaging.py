"""The library does not need the test tools: pytest-asyncio is the ``pytest`` extra only."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_pytest_asyncio_is_an_extra_not_a_dependency() -> None:
    """``pip install racefeed`` leaves pytest-asyncio out; ``racefeed[pytest]`` brings it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith(("pytest", "pytest-asyncio"))]
    assert any(d.startswith("pytest-asyncio") for d in project["optional-dependencies"]["pytest"])


def test_the_plugin_loads_without_pytest_asyncio_and_says_what_to_install() -> None:
    """Without pytest-asyncio the plugin still imports; using its fixture names the extra."""
    code = (
        "import sys; sys.modules['pytest_asyncio'] = None\n"
        "import feed.pytest_plugin as plugin\n"
        "import pytest\n"
        "fixture = plugin.racefeed_server\n"
        "try:\n"
        "    fixture.__wrapped__() if hasattr(fixture, '__wrapped__') else fixture()\n"
        "except pytest.UsageError as exc:\n"
        "    print('usage:', exc)\n"
        "except Exception as exc:\n"
        "    print('other:', type(exc).__name__, exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "racefeed[pytest]" in result.stdout, result.stdout


@pytest.mark.slow
def test_the_wheel_installs_feed_only_with_the_web_page_inside(tmp_path: Path) -> None:
    """No top-level ``clients`` package: the web page ships as ``feed/_web``."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(tmp_path), "--no-deps", "-q"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("racefeed-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "feed",
        wheel.name.split("-py3")[0] + ".dist-info",
    }
    assert "feed/_web/index.html" in names and "feed/terminal/__init__.py" in names
    [metadata] = [n for n in names if n.endswith("METADATA")]
    requires = zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
    assert "Requires-Dist: pytest-asyncio>=0.24; extra == 'pytest'" in requires
    assert not [
        line
        for line in requires
        if line.startswith("Requires-Dist: pytest") and "extra" not in line
    ]
