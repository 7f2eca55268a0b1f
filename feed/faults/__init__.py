"""Seeded, reproducible faults for testing live-results clients, as a pure core.

- ``spec``: ``FaultSpec`` (what to inject, how often) and ``FaultSpecError``.
- ``profiles``: the named profiles and the compact spec string (``lossy,drop_p=0.05``).
- ``schedule``: ``plan(spec, seed, events)`` -> ``FaultPlan``, decided up front.
- ``injector``: ``FaultInjector``, which applies a plan to one subscriber's frames.

``docs/faults.md`` says what each fault simulates and what a client must do about it.
"""

from __future__ import annotations

from feed.faults.injector import BumpEpoch, Disconnect, FaultInjector, Output, Send
from feed.faults.profiles import PROFILES, Profile, format_spec, parse_spec
from feed.faults.schedule import (
    CORRECTION_TYPES,
    KINDS,
    FaultAction,
    FaultKind,
    FaultPlan,
    PlanAsFed,
    actions_at,
    plan,
)
from feed.faults.spec import FaultSpec, FaultSpecError

__all__ = [
    "CORRECTION_TYPES",
    "KINDS",
    "PROFILES",
    "BumpEpoch",
    "Disconnect",
    "FaultAction",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "FaultSpec",
    "FaultSpecError",
    "Output",
    "PlanAsFed",
    "Profile",
    "Send",
    "actions_at",
    "format_spec",
    "parse_spec",
    "plan",
]
