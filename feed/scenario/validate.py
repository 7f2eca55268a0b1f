"""Semantic checks of a race spec: everything a well-typed file can still get wrong.

Every problem is collected (never only the first) with the field path it belongs to;
``parse`` turns paths into lines. The checks here are the contract ``compile``
relies on: a spec with no problems compiles without error.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from feed.scenario.locate import PathPart
from feed.scenario.model import (
    AfterEntry,
    AthleteDisqualifiedSpec,
    AthleteReinstatedSpec,
    AthleteSpec,
    ChampionshipSpec,
    PhotoFinishRequestedSpec,
    PhotoFinishResolvedSpec,
    ProtestDecidedSpec,
    ProtestLodgedSpec,
    RaceSpec,
    ResultAmendedSpec,
    ResultStatusChangedSpec,
)
from feed.scenario.problem import Problem, suggest
from feed.timing import format_time, parse_time

__all__ = [
    "MAX_SPEED_M_PER_S",
    "MAX_TIME_MS",
    "parse_clock",
    "split_points",
    "validate_championship",
    "validate_race",
]

MAX_SPEED_M_PER_S = 11.0
"""No human averages more than this over any segment, however short."""
MAX_TIME_MS = 24 * 3600 * 1000
"""Race-clock times stay under a day, so every timestamp stays representable."""

_Path = tuple[PathPart, ...]


def parse_clock(text: str) -> int:
    """Read a race-clock time, where a leading ``-`` means before the gun.

    Raises:
        ValueError: with the expected format.
    """
    stripped = text.strip()
    if stripped.startswith("-"):
        return -parse_time(stripped[1:])
    return parse_time(stripped)


def split_points(athlete: AthleteSpec) -> list[tuple[int, int]]:
    """The athlete's known splits as ``(metres, ms)``, in the order written (valid specs only)."""
    return [(int(key), parse_time(value)) for key, value in athlete.splits.items()]


def validate_race(spec: RaceSpec) -> list[Problem]:
    """Every semantic problem in ``spec``, each at its field path."""
    return _Checker(spec).run()


def validate_championship(spec: ChampionshipSpec) -> list[Problem]:
    """Problems a championship file has on its own (its races are checked where they are found)."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, race_id in enumerate(spec.scenario.races):
        if race_id in first:
            message = f"race {race_id!r} is listed twice (first at races[{first[race_id]}])"
            problems.append(Problem(("scenario", "races", index), message))
        elif race_id == spec.scenario.id:
            problems.append(
                Problem(("scenario", "races", index), "a championship cannot hold itself")
            )
        first.setdefault(race_id, index)
    return problems


class _Runner(msgspec.Struct):
    """What validation learnt about one athlete's race."""

    index: int
    bib: int
    knots: list[tuple[int, int]]  # (metres, ms), starting at (0, 0)
    finish: int | None = None
    dnf_m: int | None = None
    dns: bool = False


class _Checker:
    def __init__(self, spec: RaceSpec) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.runners: dict[str, _Runner] = {}

    def run(self) -> list[Problem]:
        self._race()
        self._athletes()
        self._incidents()
        self._commentary()
        self._after()
        self._synthetic()
        return self.problems

    # -- helpers ---------------------------------------------------------------

    def _add(self, path: _Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def _time(self, text: str, path: _Path, *, signed: bool = False) -> int | None:
        try:
            ms = parse_clock(text) if signed else parse_time(text)
        except ValueError as exc:
            self._add(path, str(exc))
            return None
        if abs(ms) >= MAX_TIME_MS:
            self._add(path, f"expected a time under 24 hours, found {text!r}")
            return None
        return ms

    def _athlete(self, athlete_id: str, path: _Path) -> _Runner | None:
        runner = self.runners.get(athlete_id)
        if runner is None:
            hint = suggest(athlete_id, self.runners)
            self._add(path, f"unknown athlete {athlete_id!r}{hint}; expected an athletes id")
        return runner

    # -- sections --------------------------------------------------------------

    def _race(self) -> None:
        race = self.spec.race
        gun = race.gun or race.scheduled_start
        try:
            # Every event's timestamp lies in this window; it must be a representable date.
            _ = gun - timedelta(seconds=self.spec.scenario.lead_in_s)
            _ = gun + timedelta(milliseconds=MAX_TIME_MS)
        except OverflowError:
            self._add(("race", "gun" if race.gun else "scheduled_start"), "date out of range")
        every = self.spec.scenario.split_every_m
        if race.distance_m % every:
            self._add(
                ("scenario", "split_every_m"),
                f"{every} m does not divide the race distance {race.distance_m} m",
            )
        splits = (race.distance_m // every) * max(1, len(self.spec.athletes))
        if splits > MAX_SPLITS:
            self._add(
                ("scenario", "split_every_m"),
                f"{every} m over {race.distance_m} m for {len(self.spec.athletes)} athletes "
                f"makes {splits:,} split events; a race may have {MAX_SPLITS:,} at most "
                f"(a split every {_coarsest(race.distance_m, len(self.spec.athletes))} m or "
                "more would do)",
            )
        for index, record in enumerate(race.records):
            path: _Path = ("race", "records", index)
            self._time(record.time, (*path, "time"))
            if record.kind in ("NR", "AR") and not record.nation:
                what = "nation" if record.kind == "NR" else "area"
                self._add((*path, "nation"), f"a {record.kind} needs nation (the {what} code)")

    def _athletes(self) -> None:
        bibs: dict[int, int] = {}
        for index, athlete in enumerate(self.spec.athletes):
            path: _Path = ("athletes", index)
            if athlete.id in self.runners:
                first = self.runners[athlete.id].index
                self._add(
                    (*path, "id"),
                    f"duplicate athlete id {athlete.id!r} (first at athletes[{first}])",
                )
            if athlete.bib in bibs:
                first = bibs[athlete.bib]
                self._add(
                    (*path, "bib"), f"duplicate bib {athlete.bib} (first at athletes[{first}])"
                )
            bibs.setdefault(athlete.bib, index)
            runner = self._runner(athlete, index, path)
            self.runners.setdefault(athlete.id, runner)

    def _runner(self, athlete: AthleteSpec, index: int, path: _Path) -> _Runner:
        for name in ("pb", "sb"):
            value = getattr(athlete, name)
            if value is not None:
                self._time(value, (*path, name))
        outcomes = [name for name in ("finish", "dnf", "dns") if getattr(athlete, name) is not None]
        if len(outcomes) != 1:
            found = ", ".join(outcomes) if outcomes else "none of them"
            self._add(path, f"expected exactly one of finish, dnf, dns; found {found}")
        runner = _Runner(index=index, bib=athlete.bib, knots=[(0, 0)], dns=athlete.dns is not None)
        distance = self.spec.race.distance_m
        limit, limit_name = distance, "the race distance"
        if athlete.dnf is not None:
            if athlete.dnf.at_m >= distance:
                self._add(
                    (*path, "dnf", "at_m"),
                    f"expected a point before the finish ({distance} m), found {athlete.dnf.at_m}",
                )
            else:
                runner.dnf_m = athlete.dnf.at_m
                limit, limit_name = athlete.dnf.at_m, "the DNF point"
        if athlete.splits and athlete.dns is not None:
            self._add((*path, "splits"), "an athlete who did not start has no splits")
        for key, value in athlete.splits.items():
            self._split(
                runner, key, value, (*path, "splits", key), limit=limit, limit_name=limit_name
            )
        if athlete.finish is not None:
            finish = self._time(athlete.finish, (*path, "finish"))
            if finish is not None:
                self._segment(runner, distance, finish, (*path, "finish"))
                runner.finish = finish  # kept even when unsound, so later checks do not cascade
        return runner

    def _split(
        self, runner: _Runner, key: str, value: str, path: _Path, *, limit: int, limit_name: str
    ) -> None:
        if not key.isdigit() or int(key) == 0:
            self._add(path, f"expected a distance in metres above 0 as the key, found {key!r}")
            return
        metres = int(key)
        ms = self._time(value, path)
        if ms is None:
            return
        if metres >= limit:
            self._add(path, f"split at {metres} m is at or beyond {limit_name} ({limit} m)")
            return
        self._segment(runner, metres, ms, path)

    def _segment(self, runner: _Runner, metres: int, ms: int, path: _Path) -> bool:
        """Check one more known point after the runner's last; keep it when it is sound."""
        last_m, last_ms = runner.knots[-1]
        what = "finish" if path[-1] == "finish" else f"split at {metres} m"
        if metres <= last_m:
            self._add(path, f"splits must increase in distance: {metres} m comes after {last_m} m")
            return False
        before = f"the split at {last_m} m ({format_time(last_ms, thousandths=True)})"
        if last_m == 0:
            before = "the gun"
        if ms <= last_ms:
            shown = format_time(ms, thousandths=True)
            self._add(path, f"{what} {shown} is not later than {before}")
            return False
        speed = (metres - last_m) / ((ms - last_ms) / 1000)
        if speed > MAX_SPEED_M_PER_S:
            self._add(
                path,
                f"{what}: {metres - last_m} m in {format_time(ms - last_ms, thousandths=True)} "
                f"since {before} is {speed:.1f} m/s; expected at most {MAX_SPEED_M_PER_S:g} m/s",
            )
            return False
        runner.knots.append((metres, ms))
        return True

    def _incidents(self) -> None:
        distance = self.spec.race.distance_m
        for index, incident in enumerate(self.spec.incidents):
            path: _Path = ("incidents", index)
            runner = self._athlete(incident.athlete, (*path, "athlete"))
            if incident.at_m > distance:
                self._add(
                    (*path, "at_m"), f"{incident.at_m} m is beyond the race distance ({distance} m)"
                )
            if runner is None:
                continue
            if runner.dns:
                self._add((*path, "athlete"), f"{incident.athlete!r} did not start")
            elif runner.dnf_m is not None and incident.at_m > runner.dnf_m:
                where = f"{incident.athlete!r}'s DNF point ({runner.dnf_m} m)"
                self._add((*path, "at_m"), f"{incident.at_m} m is beyond {where}")
            if not incident.continues and runner.dnf_m is None:
                self._add(
                    (*path, "continues"),
                    f"{incident.athlete!r} stops here, so the athlete needs a dnf",
                )

    def _commentary(self) -> None:
        earliest = -self.spec.scenario.lead_in_s * 1000
        for index, line in enumerate(self.spec.commentary):
            path: _Path = ("commentary", index)
            at = self._time(line.at, (*path, "at"), signed=True)
            if at is not None and at < earliest:
                lead_in = self.spec.scenario.lead_in_s
                message = f"{line.at} is before the start list is published (-{lead_in} s)"
                self._add((*path, "at"), message)
            for position, athlete in enumerate(line.athletes):
                self._athlete(athlete, (*path, "athletes", position))

    def _after(self) -> None:
        finishes = [r.finish for r in self.runners.values() if r.finish is not None]
        winner = min(finishes, default=0)
        last = max(finishes, default=0)
        timed: list[tuple[int, int, AfterEntry]] = []
        for index, entry in enumerate(self.spec.after):
            path: _Path = ("after", index)
            at = self._time(entry.at, (*path, "at"), signed=True)
            if at is None:
                continue
            if at < winner:
                shown = format_time(winner, thousandths=True)
                self._add((*path, "at"), f"{entry.at} is before the winner's finish ({shown})")
            if (
                isinstance(entry, ResultStatusChangedSpec)
                and entry.status == "official"
                and at < last
            ):
                shown = format_time(last, thousandths=True)
                message = f"official at {entry.at} is before the last finisher ({shown})"
                self._add((*path, "at"), message)
            timed.append((at, index, entry))
        # The compiler orders post-race events by time, then as written; so does this.
        timed.sort(key=lambda item: (item[0], item[1]))
        state = _AfterState()
        for at, index, entry in timed:
            self._entry(entry, at, ("after", index), state)

    def _entry(self, entry: AfterEntry, at: int, path: _Path, state: _AfterState) -> None:
        match entry:
            case PhotoFinishRequestedSpec():
                for position, athlete in enumerate(entry.athletes):
                    self._athlete(athlete, (*path, "athletes", position))
            case PhotoFinishResolvedSpec():
                self._photo(entry, at, path)
            case ResultStatusChangedSpec():
                pass
            case ProtestLodgedSpec():
                if entry.protest in state.protests:
                    self._add((*path, "protest"), f"protest {entry.protest!r} is already lodged")
                state.protests.add(entry.protest)
                if entry.against is not None:
                    self._athlete(entry.against, (*path, "against"))
            case ProtestDecidedSpec():
                self._protest(entry.protest, (*path, "protest"), state)
            case AthleteDisqualifiedSpec():
                if self._athlete(entry.athlete, (*path, "athlete")) is not None:
                    state.disqualified.add(entry.athlete)
                if entry.protest is not None:
                    self._protest(entry.protest, (*path, "protest"), state)
            case AthleteReinstatedSpec():
                runner = self._athlete(entry.athlete, (*path, "athlete"))
                if runner is not None and entry.athlete not in state.disqualified:
                    message = f"{entry.athlete!r} is not disqualified at {entry.at}"
                    self._add((*path, "athlete"), f"{message}, so cannot be reinstated")
                state.disqualified.discard(entry.athlete)
            case ResultAmendedSpec():
                self._time(entry.time, (*path, "time"))
                self._finisher(entry.athlete, at, (*path, "athlete"), "amend the time of")

    def _photo(self, entry: PhotoFinishResolvedSpec, at: int, path: _Path) -> None:
        seen: set[str] = set()
        previous: int | None = None
        for position, place in enumerate(entry.order):
            place_path: _Path = (*path, "order", position)
            if place.athlete in seen:
                self._add((*place_path, "athlete"), f"{place.athlete!r} is in the order twice")
            seen.add(place.athlete)
            self._finisher(place.athlete, at, (*place_path, "athlete"), "place")
            ms = self._time(place.time, (*place_path, "time"))
            if ms is not None and previous is not None and ms < previous:
                self._add(
                    (*place_path, "time"),
                    "the order is first across the line first, so times must not decrease",
                )
            previous = ms if ms is not None else previous

    def _finisher(self, athlete: str, at: int, path: _Path, verb: str) -> None:
        runner = self._athlete(athlete, path)
        if runner is None:
            return
        if runner.finish is None:
            self._add(path, f"cannot {verb} {athlete!r}, who did not finish")
        elif at < runner.finish:
            shown = format_time(runner.finish, thousandths=True)
            self._add(path, f"cannot {verb} {athlete!r} before they finish ({shown})")

    def _protest(self, protest: str, path: _Path, state: _AfterState) -> None:
        if protest not in state.protests:
            hint = suggest(protest, state.protests)
            self._add(path, f"protest {protest!r} has not been lodged by then{hint}")

    def _synthetic(self) -> None:
        """Each name in a ``synthetic`` list must be a field of its table."""
        spec = self.spec
        tables: list[tuple[_Path, msgspec.Struct]] = [(("race",), spec.race)]
        tables += [(("race", "records", i), r) for i, r in enumerate(spec.race.records)]
        for i, athlete in enumerate(spec.athletes):
            tables.append((("athletes", i), athlete))
            if athlete.dnf is not None:
                tables.append((("athletes", i, "dnf"), athlete.dnf))
            if athlete.dns is not None:
                tables.append((("athletes", i, "dns"), athlete.dns))
        tables += [(("incidents", i), x) for i, x in enumerate(spec.incidents)]
        tables += [(("commentary", i), x) for i, x in enumerate(spec.commentary)]
        tables += [(("after", i), x) for i, x in enumerate(spec.after)]
        for path, table in tables:
            names = [f.encode_name for f in msgspec.structs.fields(table) if f.name != "synthetic"]
            for position, item in enumerate(getattr(table, "synthetic", [])):
                head = item.split(".", 1)[0]
                if head not in names:
                    hint = suggest(head, names) or f" (expected one of: {', '.join(names)})"
                    self._add(
                        (*path, "synthetic", position),
                        f"{item!r} does not name a field of this table{hint}",
                    )


class _AfterState:
    """What the post-race entries have established so far, in compile order."""

    def __init__(self) -> None:
        self.protests: set[str] = set()
        self.disqualified: set[str] = set()


MAX_SPLITS = 200_000
"""The most split events a race may compile to: past that, a split spacing is a typo."""


def _coarsest(distance_m: int, athletes: int) -> int:
    """The smallest split spacing (a divisor of the distance) within ``MAX_SPLITS``."""
    need = -(-distance_m * max(1, athletes) // MAX_SPLITS)
    return next(d for d in range(need, distance_m + 1) if distance_m % d == 0)
