"""A commented starting scenario for any distance and field size (``racefeed new``).

The template is a complete race that validates and replays as it is: fictional
athletes (their names say "example" in many languages), even-paced lap splits and
finish times near a championship level for the distance, an unofficial and an
official result. Every value is marked synthetic, and comments say what each
field is and what to change.
"""

from __future__ import annotations

from feed.scenario.writer import Inline, Raw, athlete_id, event_name, line
from feed.timing import format_time

__all__ = ["MAX_ATHLETES", "race_template", "split_resolution"]

MAX_ATHLETES = 99

# (name, nation): "example" in the athlete's language, as in the edge-case scenarios.
_FIELD = [
    ("Rahul Udaharan", "IND"), ("Budi Contoh", "INA"), ("Luka Primer", "SLO"),
    ("Gareth Enghraifft", "GBR"), ("Marius Pavyzdys", "LTU"), ("Karl Näide", "EST"),
    ("Felipe Exemplo", "BRA"), ("Juan Ejemplo", "ESP"), ("Pierre Exemple", "FRA"),
    ("Hans Beispiel", "GER"), ("Piet Voorbeeld", "NED"), ("Matti Esimerkki", "FIN"),
    ("Lars Eksempel", "NOR"), ("Marco Esempio", "ITA"), ("Ahmet Örnek", "TUR"),
    ("Tomasz Przykład", "POL"), ("Sven Exempel", "SWE"), ("Jan Příklad", "CZE"),
    ("Ivan Primjer", "CRO"), ("Kenji Rei", "JPN"),
]  # fmt: skip
_REFERENCE = (800, 104_500)  # a championship-level 800 m, scaled to other distances
_FATIGUE = 1.07  # Riegel's exponent: time grows a little faster than distance
_TOP_SPEED_M_PER_S = 9.5  # never faster than this on average, however short the race


def split_resolution(distance_m: int) -> int:
    """The ``split_every_m`` for a distance: the largest divisor up to 100 m, at least 10 m.

    A distance without one (a prime number of metres) gets no splits between the
    gun and the finish: the resolution is the distance itself.
    """
    for every in range(min(100, distance_m), 9, -1):
        if distance_m % every == 0:
            return every
    return distance_m


def race_template(scenario_id: str, *, distance_m: int, athletes: int, lap_m: int = 400) -> str:
    """The text of a new race file.

    Args:
        scenario_id: the id (also the file name without ``.toml``).
        distance_m: the race distance in metres.
        athletes: how many starters (1 to ``MAX_ATHLETES``).
        lap_m: the lap length; splits are given at each lap.

    Raises:
        ValueError: a distance, lap or field size the template cannot write.
    """
    if not 1 <= athletes <= MAX_ATHLETES:
        raise ValueError(f"expected 1 to {MAX_ATHLETES} athletes, got {athletes}")
    if not 1 <= distance_m <= 100_000 or lap_m < 1:
        raise ValueError("expected a distance of 1 to 100000 m and a lap of at least 1 m")
    winner = _winning_time(distance_m)
    finishes = [winner + round(winner * 0.004 * i) + 7 * i + 3 for i in range(athletes)]
    last = finishes[-1]
    lines = _header(scenario_id, distance_m, lap_m, athletes)
    for index, finish in enumerate(finishes):
        lines += ["", *_athlete(index, finish, distance_m, lap_m, first=index == 0)]
    lines += ["", *_examples()]
    lines += ["", *_after(last)]
    return "\n".join(lines) + "\n"


def _winning_time(distance_m: int) -> int:
    metres, ms = _REFERENCE
    scaled: float = ms * (distance_m / metres) ** _FATIGUE
    return max(round(scaled), round(distance_m / _TOP_SPEED_M_PER_S * 1000))


def _header(scenario_id: str, distance_m: int, lap_m: int, athletes: int) -> list[str]:
    every = split_resolution(distance_m)
    name = event_name(distance_m)
    return [
        f"# A new race: {name}, {athletes} athlete(s). Written by `racefeed new`.",
        "# Everything here is invented, and marked so in the `synthetic` lists: replace it",
        "# with your race, and take names out of `synthetic` as they become real.",
        f"# Check it: racefeed validate {scenario_id}.toml",
        f"# Play it:  racefeed replay {scenario_id}.toml --speed 10",
        "# The format, field by field: docs/scenario-format.md",
        "",
        "[scenario]",
        line("id", scenario_id, "the file name is the id; keep them the same"),
        line("title", f"{name} (a new race)"),
        line("kind", "race"),
        line("description", "A template race: fictional athletes, invented times."),
        line("split_every_m", every, "a split_recorded every this many metres"),
        line("lead_in_s", 30, "the start list is published this long before the gun"),
        "",
        "[race]",
        line("championship", "Example Championships"),
        line("event", name),
        line("round", "Final"),
        line("venue", "Example Stadium"),
        line("scheduled_start", Raw("2030-06-05T19:00:00+00:00"), "the UTC offset is required"),
        line("gun", Raw("2030-06-05T19:00:30+00:00"), "the actual gun; else scheduled_start"),
        line("distance_m", distance_m),
        line("lap_m", lap_m),
        line("synthetic", ["championship", "round", "venue", "scheduled_start", "gun"]),
        "",
        "# [[race.records]]                  # a best that PB/SB/CR/WL marks are set against",
        '# kind = "CR"',
        f'# time = "{format_time(_winning_time(distance_m) - 2_000)}"',
    ]


def _athlete(index: int, finish: int, distance_m: int, lap_m: int, *, first: bool) -> list[str]:
    name, nation = _FIELD[index] if index < len(_FIELD) else (f"Athlete {index + 1}", "XXX")
    splits = {
        str(metres): format_time(round(finish * metres / distance_m))
        for metres in range(lap_m, distance_m, lap_m)
    }
    comments = {
        "bib": "the number on the vest",
        "id": "unique; incidents and after entries name athletes by it",
        "splits": "cumulative times where known; the rest are interpolated",
        "finish": "to 1/1000; exactly one of finish, dnf, dns",
    }
    entry: list[tuple[str, object]] = [
        ("bib", 101 + index),
        ("id", athlete_id(name)),
        ("name", name),
        ("nation", nation),
    ]
    if splits:
        entry.append(("splits", Inline(splits)))
    entry.append(("finish", format_time(finish, thousandths=True)))
    invented = ["bib", "name", "nation", *(["splits"] if splits else []), "finish"]
    entry.append(("synthetic", invented))
    return [
        "[[athletes]]",
        *(line(key, value, comments.get(key, "") if first else "") for key, value in entry),
    ]


def _examples() -> list[str]:
    return [
        "# Other outcomes, in place of `finish` on an athlete:",
        '#   dnf = { at_m = 700, reason = "fell" }',
        '#   dns = { reason = "injured in the semi-final" }',
        "#",
        "# [[incidents]]                     # injury, fall or obstruction, at metres run",
        '# athlete = "udaharan-rahul"',
        "# at_m = 600",
        '# kind = "fall"',
        "#",
        "# [[commentary]]                    # a line for live blogs, at a race-clock time",
        '# at = "0:30.0"',
        '# text = "They are away."',
    ]


def _after(last_finish: int) -> list[str]:
    unofficial = format_time(last_finish + 5_000)
    official = format_time(last_finish + 300_000)
    return [
        "# What happens once the race is run: photo finishes, protests, corrections ...",
        "[[after]]",
        line("at", unofficial, "race clock, after the last finisher"),
        line("type", "result_status_changed"),
        line("status", "unofficial"),
        line("synthetic", ["at"]),
        "",
        "[[after]]",
        line("at", official),
        line("type", "result_status_changed"),
        line("status", "official"),
        line("synthetic", ["at"]),
    ]
