"""The plugin works for a user's own project: installing racefeed is all it takes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.slow


def make_project(root: Path, client_source: str) -> Path:
    """A throwaway project: the documented client and its tests, and nothing of racefeed's."""
    project = root / "my-project"
    project.mkdir()
    (project / "my_live_blog.py").write_text(client_source)
    shutil.copy(EXAMPLES / "test_my_live_blog.py", project)
    (project / "pytest.ini").write_text(documented_pytest_ini())
    return project


def documented_pytest_ini() -> str:
    """The ``pytest.ini`` docs/testing-your-client.md tells users to write."""
    text = (EXAMPLES.parent / "testing-your-client.md").read_text(encoding="utf-8")
    [ini] = re.findall(r"```ini\n(.*?)```", text, re.DOTALL)
    return str(ini)


def run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
         "--rootdir", "."],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_documented_example_passes_in_a_project_of_its_own(tmp_path: Path) -> None:
    """docs/testing-your-client.md's example, run from outside the repository, passes."""
    project = make_project(tmp_path, (EXAMPLES / "my_live_blog.py").read_text())
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_a_client_that_rounds_to_nearest_fails_with_a_readable_diff(tmp_path: Path) -> None:
    """A classic bug (rounding 3:34.094 down to 3:34.09) fails, and the diff says where."""
    source = (EXAMPLES / "my_live_blog.py").read_text()
    buggy = source.replace("hundredths = -(-ms // 10)", "hundredths = (ms + 5) // 10")
    assert buggy != source
    result = run_pytest(make_project(tmp_path, buggy))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "standings differ from the reference" in result.stdout
    assert "row  field  client   reference" in result.stdout
    assert "1    time   3:34.09  3:34.10" in result.stdout
