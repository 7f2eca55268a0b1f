"""What the judges ask of the feed at one state: rows, runners, splits, orders, and the seqs.

A ``Facts`` is one race of one ``State`` seen from a claim: the result row and
fold of an athlete, the order at a split distance, who finished next, and the seq
of the event behind each of them. Judges read the feed only through it.
"""

from __future__ import annotations

from feed.check.timeline import State
from feed.check.vocab import Vocabulary
from feed.projections.state import RaceFold, RunnerFold, outcome
from feed.projections.views import StandingRow, Standings
from feed.timing import format_time

__all__ = ["Facts", "Outcome", "clock", "nope", "ordinal", "unknown", "yes"]

Outcome = tuple[str, str, int | None]  # verdict, what the feed says, evidence seq


def yes(says: str, seq: int | None) -> Outcome:
    """Supported."""
    return ("supported", says, seq)


def nope(says: str, seq: int | None) -> Outcome:
    """Contradicted."""
    return ("contradicted", says, seq)


def unknown(says: str, seq: int | None = None) -> Outcome:
    """Not checkable."""
    return ("not_checkable", says, seq)


class Facts:
    """One race at one state, as the judges read it."""

    def __init__(self, state: State, race: str, vocab: Vocabulary) -> None:
        self.state = state
        self.race = race
        self.vocab = vocab
        self.seq = state.seq
        self.fold: RaceFold | None = state.projection.state.races.get(race)
        self._standings: Standings | None = None

    @property
    def scheduled(self) -> bool:
        """The race is in the feed at this state."""
        return self.fold is not None

    def standings(self) -> Standings:
        """The result table (computed once)."""
        if self._standings is None:
            self._standings = self.state.projection.standings(self.race)
        return self._standings

    def row(self, athlete: str) -> StandingRow | None:
        """The athlete's result row."""
        return next((r for r in self.standings().rows if r.athlete_id == athlete), None)

    def runner(self, athlete: str) -> RunnerFold | None:
        """The athlete's fold."""
        return None if self.fold is None else self.fold.runners.get(athlete)

    def name(self, athlete: str) -> str:
        """The athlete's name as the feed has it."""
        runner = self.runner(athlete)
        return runner.name if runner is not None else athlete

    def outcome(self, athlete: str) -> str:
        """finished, running, dnf, dns or dq."""
        runner = self.runner(athlete)
        return "unknown" if runner is None else outcome(runner)

    def over(self) -> bool:
        """Nobody is still running."""
        return self.fold is not None and all(
            outcome(r) != "running" for r in self.fold.runners.values()
        )

    def placed(self) -> list[StandingRow]:
        """Rows with a place."""
        return [r for r in self.standings().rows if r.place is not None]

    def time_seq(self, athlete: str) -> int | None:
        """The seq of the event that gives the athlete's time in force."""
        return self.state.evidence.latest("time", self.race, athlete, until=self.seq)

    def split_seq(self, athlete: str, distance: int) -> int | None:
        """The seq of the athlete's split at ``distance``."""
        return self.state.evidence.latest(
            "split", self.race, athlete, str(distance), until=self.seq
        )

    def latest(self, *key: str) -> int | None:
        """The seq of the latest event with ``key`` (race first) up to this state."""
        return self.state.evidence.latest(key[0], self.race, *key[1:], until=self.seq)

    def split_distances(self, low: int, high: int) -> list[int]:
        """Split distances in [low, high] anyone has reached (the finish counts as a split)."""
        if self.fold is None:
            return []
        found = {d for r in self.fold.runners.values() for d in r.splits if low <= d <= high}
        distance = self.fold.info.distance_m
        if low <= distance <= high and any(
            r.finish_ms is not None for r in self.fold.runners.values()
        ):
            found.add(distance)
        return sorted(found)

    def order_at(self, distance: int) -> list[tuple[str, int]]:
        """(athlete, race time) of everyone who has reached ``distance``, first first."""
        if self.fold is None:
            return []
        reached: list[tuple[int, int, str]] = []
        for runner in self.fold.runners.values():
            if distance == self.fold.info.distance_m and runner.finish_ms is not None:
                if outcome(runner) == "finished":
                    reached.append((runner.finish_ms, runner.bib, runner.athlete_id))
            elif distance in runner.splits:
                reached.append((runner.splits[distance], runner.bib, runner.athlete_id))
        reached.sort()
        return [(athlete, ms) for ms, _, athlete in reached]

    def at_split_seq(self, athlete: str, distance: int) -> int | None:
        """The seq showing the athlete at ``distance`` (the finish at the race distance)."""
        if self.fold is not None and distance == self.fold.info.distance_m:
            return self.time_seq(athlete)
        return self.split_seq(athlete, distance)

    def describe_result(self, athlete: str) -> str:
        """ "Josh Kerr: 14th in 4:11.23", "Josh Kerr: DNF", "Josh Kerr: still running"."""
        row = self.row(athlete)
        name = self.name(athlete)
        if row is None:
            return f"{name}: not in the results"
        if row.place is not None:
            return f"{name}: {ordinal(row.place)} in {row.time}"
        if row.mark is not None:
            rule = f" ({row.rule})" if row.rule else ""
            return f"{name}: {row.mark}{rule}"
        return f"{name}: still running"

    def winner_says(self) -> tuple[str, int | None]:
        """Who is first at this state, and the seq showing it."""
        winners = [r for r in self.placed() if r.place == 1]
        if not winners:
            return "nobody has finished yet", None
        names = " and ".join(f"{r.name} ({r.time})" for r in winners)
        return f"{names} won", self.time_seq(winners[0].athlete_id)


def ordinal(place: int) -> str:
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def clock(ms: int) -> str:
    """A time as results write it."""
    return format_time(ms)
