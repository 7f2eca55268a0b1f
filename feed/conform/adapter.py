"""The client under test: a command run as a child process, asked over its stdin and stdout.

``ClientUnderTest`` is what the runner needs of a client; ``CommandClient`` is that
for any program that follows the adapter contract (``feed.conform.contract``), in
any language. A Python client can be tested in process instead (the pytest plugin
does): anything with these three methods will do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

import msgspec

from feed.conform.cases import Case
from feed.conform.contract import Ask, Shown, decode_shown, encode_ask

__all__ = ["AdapterError", "ClientUnderTest", "CommandClient", "command_starter"]

_STDERR_LINES = 40  # kept for the report
_LINE_LIMIT = 16 * 1024 * 1024  # one answer of a large championship table fits


class AdapterError(Exception):
    """The client broke the adapter contract: exited, answered late, or not an answer."""


class ClientUnderTest(Protocol):
    """What a conformance case needs of a client."""

    async def show(self) -> Shown:
        """What the client shows now."""

    def suspend(self) -> None:
        """Stop reading until ``resume`` (a reader that falls behind)."""

    def resume(self) -> None:
        """Go on after ``suspend``."""

    async def close(self) -> None:
        """Stop the client."""


class CommandClient:
    """A client program under test, started with the session's address in its environment.

    Args:
        process: the running program.
        answer_timeout: the longest an answer to ``show`` may take.
    """

    def __init__(self, process: asyncio.subprocess.Process, *, answer_timeout: float) -> None:
        self.process = process
        self.answer_timeout = answer_timeout
        self.stderr: deque[str] = deque(maxlen=_STDERR_LINES)
        self._next_id = 0
        self._stderr_task = asyncio.get_running_loop().create_task(self._read_stderr())

    @classmethod
    async def start(
        cls,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        answer_timeout: float = 2.0,
    ) -> CommandClient:
        """Start ``command`` with ``env`` added to this process's environment.

        Raises:
            AdapterError: the command cannot be started.
        """
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**os.environ, **env},
                limit=_LINE_LIMIT,
                # Its own process group: a wrapper (sh, npm) and the client it starts
                # are stopped, resumed and killed together.
                start_new_session=True,
            )
        except OSError as exc:
            raise AdapterError(f"cannot start {' '.join(command)!r}: {exc}") from None
        return cls(process, answer_timeout=answer_timeout)

    async def show(self) -> Shown:
        """Ask ``show`` and read the answer with the same id (earlier ones are skipped).

        Raises:
            AdapterError: the client exited, took longer than ``answer_timeout``, or
                wrote a line that is not an answer.
        """
        self._next_id += 1
        asked = self._next_id
        await self._send(Ask(ask="show", id=asked))
        stdout = self.process.stdout
        assert stdout is not None
        try:
            async with asyncio.timeout(self.answer_timeout):
                while True:
                    try:
                        line = await stdout.readline()
                    except ValueError:  # asyncio's limit: a line longer than _LINE_LIMIT
                        raise AdapterError(
                            f"a line on stdout longer than {_LINE_LIMIT} bytes"
                        ) from None
                    if not line:
                        raise AdapterError(await self._exited("before answering show"))
                    try:
                        shown = decode_shown(line)
                    except msgspec.DecodeError as exc:
                        text = line[:200].decode(errors="replace").rstrip()
                        raise AdapterError(f"not an answer on stdout: {text!r} ({exc})") from None
                    if shown.id == asked:
                        return shown
        except TimeoutError:
            raise AdapterError(
                f"no answer to show (id {asked}) within {self.answer_timeout:g} s"
            ) from None

    def suspend(self) -> None:
        """Stop the client (SIGSTOP): its socket fills while the server sends on."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a stopped client go on (SIGCONT)."""
        self._signal(signal.SIGCONT)

    async def close(self) -> None:
        """Ask ``quit``; kill the process if it has not exited a second later."""
        if self.process.returncode is None:
            self.resume()  # a stopped process reads no quit
            with contextlib.suppress(AdapterError):
                await self._send(Ask(ask="quit"))
            try:
                async with asyncio.timeout(1.0):
                    await self.process.wait()
            except TimeoutError:
                self._signal(signal.SIGKILL)
                await self.process.wait()
        self._signal(signal.SIGKILL)  # whatever it started and left behind
        try:  # a child it left behind may hold stderr open: do not wait for it long
            async with asyncio.timeout(1.0):
                await self._stderr_task
        except TimeoutError:
            self._stderr_task.cancel()

    def _signal(self, number: int) -> None:
        """Send ``number`` to the client's whole process group, while it is there."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, number)

    async def _send(self, ask: Ask) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        if self.process.returncode is not None:
            raise AdapterError(await self._exited("before it was asked"))
        try:
            stdin.write(encode_ask(ask))
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise AdapterError(await self._exited("while it was asked")) from None

    async def _exited(self, when: str) -> str:
        """Why the client stopped: its exit status, once known (its pipes close first)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await self.process.wait()
        code = self.process.returncode
        status = "exited" if code is None else f"exited with status {code}"
        return f"the client {status} {when}"

    async def _read_stderr(self) -> None:
        """Keep the last lines of stderr, and keep reading it, so that the client never
        blocks on a full pipe (a line is kept to its first 1000 characters)."""
        stderr = self.process.stderr
        assert stderr is not None
        pending = b""
        with contextlib.suppress(OSError):
            while chunk := await stderr.read(2**16):
                *lines, pending = (pending + chunk).split(b"\n")
                pending = pending[-4096:]
                self.stderr.extend(line[:1000].decode(errors="replace").rstrip() for line in lines)
        if pending:
            self.stderr.append(pending[:1000].decode(errors="replace").rstrip())


def command_starter(command: Sequence[str]) -> Callable[[str, str, Case], Awaitable[CommandClient]]:
    """What starts ``command`` for a case: with the session's address and the case's id
    in ``RACEFEED_URL``, ``RACEFEED_SESSION`` and ``RACEFEED_CASE`` (the contract)."""

    async def start(url: str, session: str, case: Case) -> CommandClient:
        env = {"RACEFEED_URL": url, "RACEFEED_SESSION": session, "RACEFEED_CASE": case.id}
        return await CommandClient.start(command, env)

    return start
