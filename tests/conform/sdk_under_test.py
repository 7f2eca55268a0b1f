"""The SDK as a ``ClientUnderTest``, in process: what a Python client's own wrapper looks like."""

from __future__ import annotations

import contextlib

from feed.client import Backoff, Feed, connect
from feed.conform import Case, Shown, shown_of


class SdkUnderTest:
    """The SDK as a ``ClientUnderTest``: what a Python client's own wrapper looks like."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    @classmethod
    async def start(cls, url: str, session: str, case: Case) -> SdkUnderTest:
        feed = connect(url, session=session, backoff=Backoff(initial=0.01, maximum=0.2))
        await feed.__aenter__()
        return cls(feed)

    async def show(self) -> Shown:
        return shown_of(self.feed.projection, id=0, epoch=self.feed.epoch)

    def suspend(self) -> None:
        """The SDK reads on its own task: in process, a stopped reader is not modelled."""

    def resume(self) -> None:
        """See ``suspend``."""

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.feed.close()
