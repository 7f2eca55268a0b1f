"""The network shell: one host with a gateway role and a director role, over any log.

Nothing here is imported by ``import feed``; the pure core never depends on it.
``run_server`` runs the embedded default (both roles, the log in memory); see
``feed.server.host`` for the other deployments.
"""

from feed.server.catalog import CatalogScenarios, LoadedScenario, ScenarioSource, StaticScenarios
from feed.server.clock import Clock, RealClock, VirtualClock
from feed.server.host import Server, ServerConfig, run_server
from feed.server.spec import SessionSpec

__all__ = [
    "CatalogScenarios",
    "Clock",
    "LoadedScenario",
    "RealClock",
    "ScenarioSource",
    "Server",
    "ServerConfig",
    "SessionSpec",
    "StaticScenarios",
    "VirtualClock",
    "run_server",
]
