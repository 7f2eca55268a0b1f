"""A checked ``ResultsTable`` to the text of a race scenario, with every invention marked.

A results table gives places, times and marks; a scenario needs more. What the
table does not give is chosen here and named in the ``synthetic`` list of the
table it belongs to, so that the scenario, and the events it compiles to, never
pass an invention off as a measurement:

- thousandths: a time to 1/100 becomes a reading that rounds up to it (``3:27.65``
  -> ``3:27.645``); athletes equal at 1/100 but placed apart get readings in place
  order, a dead heat the same one (``finish.thousandths``);
- the gun: from ``RaceDetails``, else the file's start time of day on an invented
  date, else invented outright (``scheduled_start``, ``gun``);
- bibs missing from the table, where a DNF stopped (``dnf.at_m``), a disqualified
  athlete's time when the table gives none (``finish``), and when the result went
  unofficial, the disqualifications and official (``at``);
- the meeting, round and venue when nobody said.

Splits the table does not give are not written: the compiler interpolates them and
its ``split_recorded`` events say ``estimated = true``.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as TimeOfDay

import msgspec

from feed.errors import TableError, TableInvalid
from feed.importers.table import ResultRow, ResultsTable, check_table
from feed.scenario.template import split_resolution
from feed.scenario.writer import Inline, Raw, athlete_id, event_name, line
from feed.timing import format_time, official_ms

__all__ = ["RaceDetails", "distance_of", "scenario_text"]

_DISTANCE = re.compile(r"(\d{1,3}(?:[,.]\d{3})+|\d+)\s*(?:m\b|metres|meters|metre|meter)", re.I)
_INVENTED_DAY = date(2030, 6, 5)
_INVENTED_TIME = TimeOfDay(19, 0)
_MAX_PER_HUNDREDTH = 10  # readings (h-0.009 .. h] that round up to one hundredth


class RaceDetails(msgspec.Struct, kw_only=True):
    """What the user says about the race, beyond the table (all optional but the id)."""

    scenario_id: str
    title: str | None = None
    championship: str | None = None
    event: str | None = None
    round: str | None = None
    venue: str | None = None
    distance_m: int | None = None
    scheduled_start: datetime | None = None  # with its UTC offset
    gun: datetime | None = None  # the actual gun, with its UTC offset
    date: date | None = None  # the day, when the file gives the time of day
    utc_offset: str | None = None  # "+02:00", with date
    lap_m: int = 400


def distance_of(table: ResultsTable, details: RaceDetails) -> int | None:
    """The race distance: said by the user, written in the file, or in the event's name."""
    if details.distance_m is not None:
        return details.distance_m
    if table.distance_m is not None:
        return table.distance_m
    for name in (details.event, table.event):
        found = _DISTANCE.search(name or "")
        if found is not None:
            return int(re.sub(r"[,.]", "", found.group(1)))
    return None


def scenario_text(table: ResultsTable, details: RaceDetails) -> str:
    """The scenario for ``table``, as commented TOML that ``parse_scenario`` accepts.

    Raises:
        TableInvalid: the distance is unknown, or the table has problems (all of them).
    """
    distance = distance_of(table, details)
    if distance is None or distance < 1:
        message = "cannot tell the race distance from the file: give it (--distance 800)"
        raise TableInvalid([TableError(table.path, message)])
    check_table(table, distance)
    readings = _readings(table)
    writer = _Writer(table, details, distance, readings)
    return writer.text()


def _readings(table: ResultsTable) -> dict[int, tuple[int, bool]]:
    """Row number -> (finish reading in ms, whether its thousandths were invented)."""
    readings: dict[int, tuple[int, bool]] = {}
    groups: dict[int, list[ResultRow]] = {}
    for row in table.rows:
        if row.time_ms is None:
            continue
        if row.thousandths:
            readings[row.row] = (row.time_ms, False)
        else:
            groups.setdefault(official_ms(row.time_ms), []).append(row)
    errors: list[TableError] = []
    for hundredth, rows in groups.items():
        places = sorted({r.place for r in rows if r.place is not None})
        unplaced = [r for r in rows if r.place is None]
        slots = len(places) + len(unplaced)
        if slots > _MAX_PER_HUNDREDTH:
            message = f"more than {_MAX_PER_HUNDREDTH} athletes placed apart in one hundredth"
            errors.append(TableError(table.path, message, line=rows[0].line, row=rows[0].row))
            continue
        step = 8 // (slots - 1) if slots > 1 else 0
        first = hundredth - (5 if slots == 1 else min(9, step * (slots - 1)))
        slot_of = {place: index for index, place in enumerate(places)}
        for row in rows:
            index = (
                slot_of[row.place] if row.place is not None else len(places) + unplaced.index(row)
            )
            readings[row.row] = (first + index * step, True)
    _check_reading_order(table, readings, errors)
    if errors:
        raise TableInvalid(errors)
    return readings


def _check_reading_order(
    table: ResultsTable, readings: dict[int, tuple[int, bool]], errors: list[TableError]
) -> None:
    """Places are decided at 1/1000: apart places need readings apart, in order."""
    placed = sorted((r for r in table.rows if r.place is not None and r.row in readings),
                    key=lambda r: (r.place or 0, r.row))  # fmt: skip
    for before, after in itertools.pairwise(placed):
        if before.place != after.place and readings[after.row][0] <= readings[before.row][0]:
            message = (
                f"place {after.place} cannot be read behind place {before.place} (row "
                f"{before.row}) at 1/1000: give both times to 1/1000, or neither"
            )
            errors.append(TableError(table.path, message, line=after.line, row=after.row))


class _Writer:
    """Writes the scenario text: header, race, athletes, and what happened after."""

    def __init__(
        self,
        table: ResultsTable,
        details: RaceDetails,
        distance: int,
        readings: dict[int, tuple[int, bool]],
    ) -> None:
        self.table = table
        self.details = details
        self.distance = distance
        self.readings = dict(readings)
        self.invented: set[str] = set()  # what the header comment lists
        last = max((ms for ms, _ in readings.values()), default=0)
        self.timeless_dq: set[int] = set()  # disqualified without a time: placed after everyone
        for row in table.rows:
            if row.status == "DQ" and row.row not in self.readings:
                last += 1000
                self.readings[row.row] = (last, True)
                self.timeless_dq.add(row.row)
        self.last = last
        self.bibs, self.ids = _identities(table.rows)

    def text(self) -> str:
        race = self._race()
        athletes = self._athletes()
        after = self._after()
        return "\n".join([*self._head(), "", *race, *athletes, *after]) + "\n"

    def _head(self) -> list[str]:
        details = self.details
        source = self.table.path.replace("\\", "/").rsplit("/", 1)[-1]
        kind = "a FinishLynx result file" if self.table.format == "lif" else "a results table"
        invented = ", ".join(sorted(self.invented)) or "nothing"
        event = details.event or self.table.event or event_name(self.distance)
        title = details.title or ", ".join(
            part for part in (details.championship, event, details.round) if part
        )
        count = len(self.table.rows)
        said = (
            "What the table did not say was invented, and is named in the `synthetic` list of "
            f"the table it belongs to: {invented}. Splits the table does not give are "
            "interpolated when the race is compiled, and those split_recorded events say "
            "`estimated = true`. Format: docs/scenario-format.md"
        )
        return [
            f"# Imported by `racefeed import` from {source} ({kind}): {count} athlete(s).",
            *_comment(said),
            "",
            "[scenario]",
            line("id", details.scenario_id, "the file name is the id"),
            line("title", title),
            line("kind", "race"),
            line("description", f"Imported from {source}: {count} athlete(s)."),
            line("split_every_m", split_resolution(self.distance)),
            line("lead_in_s", 30),
        ]

    def _race(self) -> list[str]:
        details = self.details
        synthetic: list[str] = []

        def given(name: str, value: str | None, default: str) -> str:
            if value:
                return value
            synthetic.append(name)
            return default

        championship = given("championship", details.championship, "Imported results")
        event = details.event or self.table.event or event_name(self.distance)
        round_ = given("round", details.round, "Final")
        venue = given("venue", details.venue, "Unknown venue")
        self.invented |= {f"the {name}" for name in synthetic}
        scheduled, gun, unknown = self._start()
        if unknown:
            synthetic += [name for name in ("scheduled_start", "gun") if name in unknown]
            parts = unknown.get("gun") or unknown.get("scheduled_start") or []
            self.invented.add(f"the {' and '.join(unknown)} ({', '.join(parts)})")
        return [
            "[race]",
            line("championship", championship),
            line("event", event),
            line("round", round_),
            line("venue", venue),
            line("scheduled_start", Raw(scheduled.isoformat())),
            line("gun", Raw(gun.isoformat())),
            line("distance_m", self.distance),
            line("lap_m", details.lap_m),
            line("synthetic", synthetic),
        ]

    def _start(self) -> tuple[datetime, datetime, dict[str, list[str]]]:
        """The scheduled start and the gun, and what of each is invented (by field)."""
        details = self.details
        gun = details.gun
        if gun is None and self.table.start_time is not None:
            day, offset = details.date, _offset(details.utc_offset)
            if day is not None and offset is not None:
                moment = TimeOfDay.fromisoformat(_padded(self.table.start_time))
                gun = datetime.combine(day, moment, tzinfo=offset)
        scheduled = details.scheduled_start or gun
        if gun is not None and scheduled is not None:
            return scheduled, gun, {}
        if scheduled is not None:  # the schedule is known, the gun is not: it is taken as on time
            return scheduled, scheduled, {"gun": ["all of it"]}
        unknown: list[str] = []
        day = details.date or _INVENTED_DAY
        if details.date is None:
            unknown.append("date")
        moment = _INVENTED_TIME
        if self.table.start_time is not None:
            moment = TimeOfDay.fromisoformat(_padded(self.table.start_time))
        else:
            unknown.append("time of day")
        offset = _offset(details.utc_offset)
        if offset is None:
            offset = UTC
            unknown.append("UTC offset")
        invented = datetime.combine(day, moment, tzinfo=offset)
        return invented, invented, {"scheduled_start": unknown, "gun": unknown}

    def _athletes(self) -> list[str]:
        lines: list[str] = []
        for row in self.table.rows:
            synthetic: list[str] = []
            if row.bib is None:
                synthetic.append("bib")
            entry: list[tuple[str, object, str]] = [
                ("bib", self.bibs[row.row], ""),
                ("id", self.ids[row.row], ""),
                ("name", row.name, ""),
                ("nation", row.nation, ""),
            ]
            for name, ms in (("pb", row.pb_ms), ("sb", row.sb_ms)):
                if ms is not None:
                    entry.append((name, format_time(ms), ""))
            if row.splits:
                splits = Inline({str(m): format_time(ms) for m, ms in sorted(row.splits.items())})
                entry.append(("splits", splits, "measured; the rest are interpolated"))
            entry += self._outcome(row, synthetic)
            entry.append(("synthetic", synthetic, ""))
            self.invented |= {_INVENTION_WORDS[item] for item in synthetic}
            lines += [
                "",
                f"{'[[athletes]]':<39} # row {row.row} of the table",
                *(line(k, v, c) for k, v, c in entry),
            ]
        return lines

    def _outcome(self, row: ResultRow, synthetic: list[str]) -> list[tuple[str, object, str]]:
        if row.status == "DNS":
            return [("dns", Inline({"reason": row.reason}), "")]
        if row.status == "DNF":
            last = max(row.splits, default=0)
            at_m = last + (self.distance - last) // 2
            synthetic.append("dnf.at_m")
            return [("dnf", Inline({"at_m": at_m, "reason": row.reason}), "where: not known")]
        reading, invented = self.readings[row.row]
        if row.row in self.timeless_dq:
            synthetic.append("finish")
            return [("finish", format_time(reading, thousandths=True), "no time in the table")]
        if invented:
            synthetic.append("finish.thousandths")
            shown = format_time(official_ms(reading))
            return [("finish", format_time(reading, thousandths=True), f"published {shown}")]
        return [("finish", format_time(reading, thousandths=True), "")]

    def _after(self) -> list[str]:
        last = self.last
        entries: list[list[tuple[str, object]]] = [
            [("at", _clock(last + 5_000)), ("type", "result_status_changed"),
             ("status", "unofficial")],
        ]  # fmt: skip
        for row in self.table.rows:
            if row.status == "DQ":
                rule = row.rule
                entries.append([
                    ("at", _clock(last + 10_000)), ("type", "athlete_disqualified"),
                    ("athlete", self.ids[row.row]), ("rule", rule), ("reason", row.reason),
                ])  # fmt: skip
        entries.append([("at", _clock(last + 600_000)), ("type", "result_status_changed"),
                        ("status", "official")])  # fmt: skip
        self.invented.add("when the result went unofficial and official")
        lines = ["", "# When the result went unofficial, any disqualification, then official:"]
        lines += ["# the table does not say, so these times are invented."]
        for entry in entries:
            lines += ["", "[[after]]", *(line(k, v) for k, v in entry)]
            lines.append(line("synthetic", ["at"]))
        return lines


_INVENTION_WORDS = {
    "bib": "bibs",
    "finish.thousandths": "thousandths",
    "finish": "times of disqualified athletes",
    "dnf.at_m": "where DNFs stopped",
}


def _identities(rows: list[ResultRow]) -> tuple[dict[int, int], dict[int, str]]:
    """Row -> bib (the table's, else the lowest free one) and row -> athlete id (unique)."""
    used = {row.bib for row in rows if row.bib is not None}
    bibs: dict[int, int] = {}
    ids: dict[int, str] = {}
    free = 1
    for row in rows:
        bib = row.bib
        if bib is None:
            while free in used:
                free += 1
            bib = free
            used.add(bib)
        bibs[row.row] = bib
        ident = athlete_id(row.name)
        if ident in ids.values():
            ident = f"{ident}-{bib}"
        while ident in ids.values():
            ident += "-x"
        ids[row.row] = ident
    return bibs, ids


def _comment(text: str, width: int = 86) -> list[str]:
    """``text`` as ``#`` comment lines of at most ``width`` characters (words kept whole)."""
    lines: list[str] = []
    current = "#"
    for word in text.split():
        if len(current) + 1 + len(word) > width and current != "#":
            lines.append(current)
            current = "#"
        current += " " + word
    return [*lines, current]


def _clock(ms: int) -> str:
    return format_time(ms, thousandths=True)


def _padded(text: str) -> str:
    """``9:05:00.1`` -> ``09:05:00.100``, as ``time.fromisoformat`` wants it."""
    clock, _, fraction = text.partition(".")
    hours, rest = clock.split(":", 1)
    return f"{int(hours):02d}:{rest}" + (f".{fraction.ljust(3, '0')}" if fraction else "")


def _offset(text: str | None) -> timezone | None:
    if text is None:
        return None
    match = re.fullmatch(r"([+-])(\d\d):?(\d\d)", text.strip())
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
