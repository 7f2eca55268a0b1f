"""racefeed: an event-sourced live results feed simulator.

``import feed`` gives the pure core only (events, timing, codec, scenarios,
projections); the network shell lives in ``feed.server`` and ``feed.client``, and
is never imported here.
"""

from feed import codec, events, projections, scenario, timing
from feed.errors import (
    ProtocolError,
    RacefeedError,
    ScenarioError,
    ScenarioInvalid,
    SequenceError,
    UnknownScenario,
)
from feed.events import EVENT_TYPES, Event

__all__ = [
    "EVENT_TYPES",
    "Event",
    "ProtocolError",
    "RacefeedError",
    "ScenarioError",
    "ScenarioInvalid",
    "SequenceError",
    "UnknownScenario",
    "codec",
    "events",
    "projections",
    "scenario",
    "timing",
]
__version__ = "0.1.0"
