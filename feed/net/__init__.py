"""The network shell: the asyncio websocket server and its clock.

Nothing here is imported by ``import feed``; the pure core never depends on it.
"""

from feed.net.clock import Clock, RealClock, VirtualClock
from feed.net.fanout import OutboxLimits
from feed.net.scenarios import CatalogScenarios, ScenarioLog, StaticScenarios
from feed.net.server import Server, ServerConfig, SessionSpec, run_server
from feed.net.session import BatchLimits

__all__ = [
    "BatchLimits",
    "CatalogScenarios",
    "Clock",
    "OutboxLimits",
    "RealClock",
    "ScenarioLog",
    "Server",
    "ServerConfig",
    "SessionSpec",
    "StaticScenarios",
    "VirtualClock",
    "run_server",
]
