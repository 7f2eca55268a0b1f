"""The racefeed Python SDK as a client under test for ``racefeed conform``.

    racefeed conform -- python clients/python/conform_adapter.py

It follows the adapter contract (docs/conformance.md): it subscribes to
``RACEFEED_SESSION`` at ``RACEFEED_URL`` with the SDK, which folds the events itself
(dedupe, reorder, gaps, epochs, reconnects), and answers each ``show`` on stdin with
what the SDK's projection holds. Logs go to stderr; stdout carries answers only.
"""

from __future__ import annotations

import asyncio
import os
import sys

import msgspec

from feed.cli.structured_logs import configure_logging
from feed.client import connect
from feed.conform.contract import Ask, shown_of

_asks = msgspec.json.Decoder(Ask)
_answers = msgspec.json.Encoder()


async def main() -> int:
    url, session = os.environ["RACEFEED_URL"], os.environ["RACEFEED_SESSION"]
    configure_logging(level="warning")  # to stderr: stdout carries answers only
    loop = asyncio.get_running_loop()
    async with connect(url, session=session) as feed:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.buffer.readline)
            if not line:
                return 0
            ask = _asks.decode(line)
            if ask.ask == "quit":
                return 0
            shown = shown_of(feed.projection, id=ask.id, epoch=feed.epoch)
            sys.stdout.buffer.write(_answers.encode(shown) + b"\n")
            sys.stdout.buffer.flush()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
