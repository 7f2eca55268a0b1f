"""Build a race scenario in code, for tests: athletes, splits, incidents, finish, corrections.

::

    race = RaceBuilder("my-test-race", title="A photo finish")
    ann = race.athlete("Ann Example", "GBR", pb="4:01.00")
    bea = race.athlete("Bea Sample", "KEN")
    race.splits(ann, {400: "62.0", 800: "2:04.0"}).finish(ann, "4:00.051")
    race.finish(bea, "4:00.049")
    race.photo_finish(at="4:05", order=[(bea, "4:00.049"), (ann, "4:00.051")])
    race.official(at="6:00")
    events = race.events()

The builder writes the same TOML a person would (``to_toml()``) and compiles it with
the scenario compiler, so a mistake in a built race gets the same located error as
one in a file, and a built race can be saved and replayed like any other::

    Path("my-test-race.toml").write_text(race.to_toml())   # racefeed replay my-test-race.toml
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from feed.events import Event, IncidentKind
from feed.scenario import RaceSpec, compile_race, parse_scenario
from feed.scenario.writer import Inline as _Inline
from feed.scenario.writer import Raw as _Raw
from feed.scenario.writer import athlete_id, event_name, pairs

__all__ = ["RaceBuilder"]

_PATH = "<built race>"


class RaceBuilder:
    """A race scenario assembled call by call; every method returns the builder.

    Args:
        scenario_id: the race's id (lowercase letters, digits and hyphens).
        title: what the race is called.
        distance_m: the race distance.
        gun: the gun time, ISO 8601 with a UTC offset.
        split_every_m: the resolution of ``split_recorded`` events.
        championship: the meeting the race belongs to.
        event: the event's name; by default the distance's (``"800 metres"``).
        round: ``"Final"``, ``"Heat 2"`` ...
        venue: where it is run.
    """

    def __init__(
        self,
        scenario_id: str = "built-race",
        *,
        title: str = "A race built in a test",
        distance_m: int = 1500,
        lap_m: int = 400,
        gun: str = "2025-09-17T22:20:00+09:00",
        split_every_m: int = 100,
        championship: str = "Test Championships",
        event: str | None = None,
        round: str = "Final",
        venue: str = "Test Stadium",
    ) -> None:
        datetime.fromisoformat(gun)  # fail here, not in the TOML
        self.scenario_id = scenario_id
        self._header = {"id": scenario_id, "title": title, "kind": "race",
                        "split_every_m": split_every_m}  # fmt: skip
        self._race: dict[str, object] = {
            "championship": championship, "event": event or event_name(distance_m),
            "round": round, "venue": venue,
            "scheduled_start": _Raw(gun), "distance_m": distance_m, "lap_m": lap_m,
        }  # fmt: skip
        self._records: list[dict[str, object]] = []
        self._athletes: dict[str, dict[str, object]] = {}
        self._incidents: list[dict[str, object]] = []
        self._commentary: list[dict[str, object]] = []
        self._after: list[dict[str, object]] = []

    # -- the field ---------------------------------------------------------------------

    def athlete(
        self,
        name: str,
        nation: str,
        *,
        athlete_id: str | None = None,
        bib: int | None = None,
        pb: str | None = None,
        sb: str | None = None,
    ) -> str:
        """Add an athlete to the start list and return their id (``"example-ann"``)."""
        chosen = athlete_id or _id_of(name)
        entry: dict[str, object] = {
            "bib": bib if bib is not None else len(self._athletes) + 1,
            "id": chosen, "name": name, "nation": nation,
        }  # fmt: skip
        if pb is not None:
            entry["pb"] = pb
        if sb is not None:
            entry["sb"] = sb
        self._athletes[chosen] = entry
        return chosen

    def record(self, kind: str, time: str, *, nation: str | None = None) -> Self:
        """A record the marks are computed against (``"CR"``, ``"NR"`` with a nation ...)."""
        record: dict[str, object] = {"kind": kind, "time": time}
        if nation is not None:
            record["nation"] = nation
        self._records.append(record)
        return self

    # -- the race ----------------------------------------------------------------------

    def splits(self, athlete: str, times: dict[int, str]) -> Self:
        """Cumulative times at known distances (``{400: "59.5", 800: "1:59.88"}``)."""
        self._entry(athlete)["splits"] = _Inline({str(d): t for d, t in sorted(times.items())})
        return self

    def finish(self, athlete: str, time: str) -> Self:
        """The finish reading, to the millisecond (``"3:34.094"``)."""
        self._entry(athlete)["finish"] = time
        return self

    def dnf(self, athlete: str, *, at_m: int, reason: str = "") -> Self:
        """The athlete stops at ``at_m`` metres."""
        self._entry(athlete)["dnf"] = _Inline({"at_m": at_m, "reason": reason})
        return self

    def dns(self, athlete: str, *, reason: str = "") -> Self:
        """The athlete does not start."""
        self._entry(athlete)["dns"] = _Inline({"reason": reason})
        return self

    def incident(
        self,
        athlete: str,
        *,
        at_m: int,
        kind: IncidentKind,
        detail: str = "",
        continues: bool = True,
    ) -> Self:
        """An injury, fall or obstruction at ``at_m`` metres."""
        self._incidents.append({"athlete": athlete, "at_m": at_m, "kind": kind,
                                "detail": detail, "continues": continues})  # fmt: skip
        return self

    def commentary(self, at: str, text: str) -> Self:
        """A line of commentary at race time ``at``."""
        self._commentary.append({"at": at, "text": text})
        return self

    # -- after the finish --------------------------------------------------------------

    def photo_finish(self, *, at: str, order: list[tuple[str, str]]) -> Self:
        """A photo finish requested and resolved at ``at``: ``[(athlete, reading), ...]``."""
        athletes = [athlete for athlete, _ in order]
        self._after.append({"at": at, "type": "photo_finish_requested", "athletes": athletes})
        self._after.append({
            "at": at, "type": "photo_finish_resolved",
            "order": [_Inline({"athlete": a, "time": t}) for a, t in order],
        })  # fmt: skip
        return self

    def unofficial(self, *, at: str) -> Self:
        """The result becomes unofficial."""
        return self._status(at, "unofficial")

    def official(self, *, at: str) -> Self:
        """The result becomes official."""
        return self._status(at, "official")

    def protest(self, *, at: str, protest_id: str, by: str, against: str | None = None) -> Self:
        """A protest is lodged (the result becomes protested)."""
        entry: dict[str, object] = {"at": at, "type": "protest_lodged",
                                    "protest": protest_id, "by": by}  # fmt: skip
        if against is not None:
            entry["against"] = against
        self._after.append(entry)
        return self._status(at, "protested")

    def disqualify(
        self, athlete: str, *, at: str, rule: str, protest_id: str | None = None
    ) -> Self:
        """The athlete is disqualified under ``rule`` (e.g. ``"TR17.1.2"``)."""
        entry: dict[str, object] = {"at": at, "type": "athlete_disqualified",
                                    "athlete": athlete, "rule": rule}  # fmt: skip
        if protest_id is not None:
            entry["protest"] = protest_id
        self._after.append(entry)
        return self

    def reinstate(self, athlete: str, *, at: str, reason: str = "") -> Self:
        """The athlete's latest disqualification is undone."""
        self._after.append({"at": at, "type": "athlete_reinstated", "athlete": athlete,
                            "reason": reason})  # fmt: skip
        return self

    def amend(self, athlete: str, *, at: str, time: str, reason: str = "") -> Self:
        """The athlete's time is corrected to ``time``."""
        self._after.append({"at": at, "type": "result_amended", "athlete": athlete,
                            "time": time, "reason": reason})  # fmt: skip
        return self

    # -- output ------------------------------------------------------------------------

    def to_toml(self) -> str:
        """The scenario file this race would be, in the documented format.

        The text is what ``spec()`` and ``events()`` compile, so writing it to
        ``<scenario id>.toml`` gives a file that ``racefeed validate`` accepts and
        ``racefeed replay`` plays: the way to keep a race built in a test. Nothing is
        checked here; ``spec()`` says what is wrong, located in this text.
        """
        lines = ["[scenario]", *pairs(self._header), "", "[race]", *pairs(self._race)]
        for record in self._records:
            lines += ["", "[[race.records]]", *pairs(record)]
        for athlete in self._athletes.values():
            lines += ["", "[[athletes]]", *pairs(athlete)]
        for name, tables in (("incidents", self._incidents), ("commentary", self._commentary),
                             ("after", self._after)):  # fmt: skip
            for table in tables:
                lines += ["", f"[[{name}]]", *pairs(table)]
        return "\n".join(lines) + "\n"

    def spec(self) -> RaceSpec:
        """The parsed, validated race (raises ``ScenarioInvalid`` naming the bad field)."""
        spec = parse_scenario(self.to_toml(), _PATH)
        assert isinstance(spec, RaceSpec)
        return spec

    def events(self) -> list[Event]:
        """The compiled event stream."""
        return compile_race(self.spec())

    def _entry(self, athlete: str) -> dict[str, object]:
        try:
            return self._athletes[athlete]
        except KeyError:
            known = ", ".join(self._athletes) or "none yet"
            raise KeyError(f"no athlete {athlete!r} in this race (known: {known})") from None

    def _status(self, at: str, status: str) -> Self:
        self._after.append({"at": at, "type": "result_status_changed", "status": status})
        return self


_id_of = athlete_id
