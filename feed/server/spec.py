"""A named session to open at start: what ``--session NAME=SCENARIO[@SPEED]`` says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from feed.events import Event
from feed.replay import Speed, check_speed

__all__ = ["SessionSpec"]


@dataclass(frozen=True, kw_only=True)
class SessionSpec:
    """A named session to open with the server.

    Attributes:
        name: the session id clients subscribe to.
        scenario: a catalog id or a file path (the command line is trusted).
        events: a log to replay instead of a scenario (tests, embedding).
        title: the title to show for ``events``.
        speed: 0.1..1000 or ``"instant"``.
        paused: start paused instead of playing.
        at_start_list: when paused, stand just before the first gun, with the start list
            (and whatever else comes before the gun) published, rather than before it all.
        rebase: stamp events with ``emitted_at`` as they go out.
        max_gap_ms: longest idle gap kept between events.
        token: a control token to use (default: a random one).
        aliases: other ids the session answers to (``racefeed replay`` adds "main").
    """

    name: str
    scenario: str | None = None
    events: Sequence[Event] | None = field(default=None, repr=False)
    title: str = ""
    speed: Speed = 1.0
    paused: bool = False
    at_start_list: bool = False
    rebase: bool = False
    max_gap_ms: int | None = 10_000
    token: str | None = field(default=None, repr=False)
    aliases: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SessionSpec:
        """Read ``NAME=SCENARIO[@SPEED]`` (``main=tokyo-2025-m1500-final@10``).

        Raises:
            ValueError: saying what was expected.
        """
        name, sep, rest = text.partition("=")
        if not sep or not name or not rest:
            raise ValueError(f"expected NAME=SCENARIO[@SPEED], got {text!r}")
        scenario, at, speed_text = rest.rpartition("@") if "@" in rest else (rest, "", "")
        speed: Speed = 1.0
        if at:
            try:
                speed = check_speed("instant" if speed_text == "instant" else float(speed_text))
            except ValueError as exc:
                raise ValueError(f"{text!r}: {exc}") from None
        return cls(name=name, scenario=scenario, speed=speed)
