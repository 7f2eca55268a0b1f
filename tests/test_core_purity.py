"""The pure core does no I/O: no asyncio, sockets, logging, files or clock reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import feed

PACKAGE = Path(feed.__file__).parent
SHELL = {
    "cli",
    "io",
    "server",
    "client",
    "terminal",
    "pytest_plugin.py",
    "__main__.py",
    "_scenarios",
}
# The log's backends live beside the (pure) interface they implement.
SHELL_FILES = {
    "store/memory.py",
    "store/jsonl.py",
    "store/jetstream.py",
    "store/nats_client.py",
}
# Recording and playback drive the pure format and timeline over websockets.
SHELL_FILES |= {"recording/recorder.py", "recording/player.py"}
# Conformance runs cases on a server against a child process; its contract, cases,
# results and reports are pure.
SHELL_FILES |= {"conform/adapter.py", "conform/runner.py"}
ALLOWED_IMPORTS = {
    "__future__", "array", "base64", "binascii", "bisect", "copy", "collections", "csv",
    "dataclasses", "datetime", "difflib", "enum", "functools", "hashlib", "heapq", "itertools",
    "html", "json", "math", "msgspec", "operator", "random", "xml",
    "re", "string", "tomllib", "typing", "typing_extensions", "unicodedata", "zoneinfo", "feed",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "print", "input", "now", "utcnow", "today", "time", "monotonic",
                   "perf_counter", "sleep", "read_text", "read_bytes", "write_text"}  # fmt: skip


def core_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in SHELL
        and path.relative_to(PACKAGE).as_posix() not in SHELL_FILES
    )


def test_the_core_has_modules_to_check() -> None:
    """The purity checks below look at a real list of core modules."""
    names = {path.name for path in core_modules()}
    assert {"events.py", "codec.py", "timing.py", "errors.py"} <= names


def test_importing_the_core_pulls_in_no_network_or_logging_stack() -> None:
    """``import feed`` and every core module leave asyncio, websockets, structlog unloaded."""
    modules = [
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in core_modules()
    ]
    script = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(','.join(m for m in ('asyncio', 'websockets', 'structlog', 'socket', 'rich')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_core_modules_import_only_pure_libraries() -> None:
    """Each core module imports only from the allowed, I/O-free standard library and msgspec."""
    offenders = []
    for path in core_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] not in ALLOWED_IMPORTS
            ]
    assert offenders == []


def test_core_modules_read_no_clock_and_touch_no_file() -> None:
    """No core module calls open(), print() or reads the clock: time and bytes are arguments."""
    offenders = []
    for path in core_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in FORBIDDEN_CALLS:
                    offenders.append(f"{path.name}:{node.lineno}: {name}()")
    assert offenders == []
