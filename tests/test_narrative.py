"""The narrator writes the live-blog lines a newsroom would post, from the events alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from feed.commentary import commentary_window, narrate
from feed.events import (
    AthleteDidNotStart,
    AthleteDidNotStartData,
    AthleteDisqualified,
    AthleteDisqualifiedData,
    AthleteFinished,
    AthleteFinishedData,
    AthleteIncident,
    AthleteIncidentData,
    AthleteReinstated,
    AthleteReinstatedData,
    Commentary,
    CommentaryData,
    Entrant,
    Event,
    PhotoFinishRequested,
    PhotoFinishRequestedData,
    PhotoFinishResolved,
    PhotoFinishResolvedData,
    PhotoPlace,
    ProtestDecided,
    ProtestDecidedData,
    ProtestLodged,
    ProtestLodgedData,
    RaceInfo,
    RaceScheduled,
    RaceScheduledData,
    RaceStarted,
    ResultAmended,
    ResultAmendedData,
    ResultStatusChanged,
    ResultStatusChangedData,
    SplitRecorded,
    SplitRecordedData,
)
from feed.io import catalog, load_scenario
from feed.narrative import NarrativeLine, Narrator, race_phrase, spoken_names
from feed.projections import Projection, project
from feed.timing import format_clock

RACE = "test-m1500-final"
_GUN = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)
_DISTANCES = (200, 400, 600, 800, 1000, 1100, 1200, 1300, 1400)
# bib, id, name, nation, cumulative split at each of _DISTANCES (ms), finish (ms)
_FIELD = [
    (1, "laros-niels", "Niels Laros", "NED",
     (30000, 59500, 89900, 120000, 150000, 164300, 178100, 192200, 206400), 214520),
    (2, "cheruiyot-timothy", "Timothy Cheruiyot", "KEN",
     (30200, 59700, 90000, 119880, 149500, 164000, 177900, 192100, 206300), 214500),
    (3, "cheruiyot-reynold", "Reynold Cheruiyot", "KEN",
     (30500, 60100, 90400, 120300, 150300, 164600, 178300, 192000, 206100), 214250),
    (4, "wightman-jake", "Jake Wightman", "GBR",
     (30300, 59900, 89800, 120200, 149900, 164200, 178000, 191800, 205900), 214117),
    (5, "nader-isaac", "Isaac Nader", "POR",
     (30600, 60300, 90500, 120500, 150600, 164900, 178600, 192400, 206000), 214094),
    (6, "kerr-josh", "Josh Kerr", "GBR",
     (30400, 60000, 90300, 120400, 150900, 165500, 181000, 197000, 213000), 251230),
    (7, "kowalski-piotr", "Piotr Kowalski", "POL",
     (30700, 60500, 90600, 120700, 150500, 165000, 178900, 192900, 207000), 215000),
]  # fmt: skip
_DNS = (8, "koech-jonah", "Jonah Koech", "USA")


def _envelope(seq: int, race_ms: int) -> dict[str, object]:
    at = _GUN + timedelta(milliseconds=race_ms)
    return {
        "seq": seq,
        "stream": RACE,
        "race": RACE,
        "race_ms": race_ms,
        "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


Build = Callable[[dict[str, object]], Event]


def _numbered(timeline: list[tuple[int, int, Build]]) -> list[Event]:
    """Order (race_ms, rank, build) entries by race time then rank, and number them from 1."""
    ordered = sorted(timeline, key=lambda entry: (entry[0], entry[1]))
    return [build(_envelope(seq, ms)) for seq, (ms, _, build) in enumerate(ordered, start=1)]


def build_race(*, after: list[tuple[int, Build]] | None = None) -> list[Event]:
    """A small 1500 m final: the lead changes, a calf goes, a photo, a protest and a DQ."""
    info = RaceInfo(
        championship="Test Championships",
        event="Men's 1500 metres",
        round="Final",
        venue="Test Stadium",
        scheduled_start="2025-09-17T22:20:00+09:00",
        distance_m=1500,
    )
    entrants = [Entrant(bib=b, athlete_id=a, name=n, nation=c) for b, a, n, c, *_ in _FIELD]
    entrants.append(Entrant(bib=_DNS[0], athlete_id=_DNS[1], name=_DNS[2], nation=_DNS[3]))
    scheduled = RaceScheduledData(race=info, start_list=entrants)
    dns = AthleteDidNotStartData(athlete_id=_DNS[1], reason="hamstring")
    timeline: list[tuple[int, int, Build]] = [
        (-30000, 0, _bind(RaceScheduled, scheduled)),
        (-29000, 1, _bind(AthleteDidNotStart, dns)),
        (0, 2, lambda env: RaceStarted(**env)),
    ]
    for bib, athlete, _name, _nation, splits, finish in _FIELD:
        for distance, elapsed in zip(_DISTANCES, splits, strict=True):
            data = SplitRecordedData(athlete_id=athlete, distance_m=distance, elapsed_ms=elapsed)
            timeline.append((elapsed, 10 + bib, _bind(SplitRecorded, data)))
        done = AthleteFinishedData(athlete_id=athlete, elapsed_ms=finish)
        timeline.append((finish, 60, _bind(AthleteFinished, done)))
    injury = AthleteIncidentData(
        athlete_id="kerr-josh", distance_m=900, kind="injury", detail="calf"
    )
    commentary = CommentaryData(text="A slow first lap: nobody wants to lead.")
    timeline += [
        (135000, 40, _bind(AthleteIncident, injury)),
        (62000, 70, _bind(Commentary, commentary)),
    ]
    for rank, (ms, build) in enumerate(after if after is not None else _AFTER, start=80):
        timeline.append((ms, rank, build))
    return _numbered(timeline)


def _bind(cls: Callable[..., Event], data: object) -> Build:
    return lambda env: cls(**env, data=data)


_AFTER: list[tuple[int, Build]] = [
    (216000, _bind(PhotoFinishRequested,
                   PhotoFinishRequestedData(athlete_ids=["nader-isaac", "wightman-jake"]))),
    (230000, _bind(PhotoFinishResolved, PhotoFinishResolvedData(order=[
        PhotoPlace(athlete_id="nader-isaac", elapsed_ms=214094),
        PhotoPlace(athlete_id="wightman-jake", elapsed_ms=214117)]))),
    (260000, _bind(ResultStatusChanged, ResultStatusChangedData(status="unofficial"))),
    (270000, _bind(ProtestLodged, ProtestLodgedData(protest_id="P1", by="NED",
                                                    against="kowalski-piotr", reason="jostling"))),
    (271000, _bind(ResultStatusChanged, ResultStatusChangedData(status="protested"))),
    (300000, _bind(AthleteDisqualified, AthleteDisqualifiedData(
        athlete_id="kowalski-piotr", rule="TR17.1.2", reason="jostling", protest_id="P1"))),
    (300001, _bind(ProtestDecided, ProtestDecidedData(protest_id="P1", upheld=True))),
    (400000, _bind(ResultStatusChanged, ResultStatusChangedData(status="official"))),
]  # fmt: skip


def texts(lines: list[NarrativeLine], kind: str | None = None) -> list[str]:
    return [line.text for line in lines if kind is None or line.kind == kind]


@pytest.fixture(scope="module")
def lines() -> list[NarrativeLine]:
    return narrate(build_race())


def test_the_start_list_and_the_gun_count_the_starters(lines: list[NarrativeLine]) -> None:
    """The gun counts those who started: eight on the list, one DNS, seven away."""
    assert texts(lines)[:3] == [
        "Coming up: the men's 1500 m final at Test Stadium, 8 on the start list.",
        "Koech does not start (hamstring)",
        "The gun! 7 away in the men's 1500 m final.",
    ]
    gun = next(line for line in lines if line.kind == "start")
    assert (gun.race_ms, gun.emphasis, gun.race) == (0, True, RACE)


def test_the_leader_is_called_at_lap_marks_and_lead_changes_between_them(
    lines: list[NarrativeLine],
) -> None:
    """Lap marks give the leader and split; between them only a new leader is news."""
    assert texts(lines, "lead") == [
        "Laros leads at 400 m in 59.50",
        "Wightman hits the front, 900 m to go",
        "Timothy Cheruiyot leads at 800 m in 1:59.88",
        "Timothy Cheruiyot leads at 1200 m in 2:57.90",
        "Wightman hits the front, 200 m to go",
    ]


def test_the_bell_rings_once_when_the_leader_has_a_lap_to_go(lines: list[NarrativeLine]) -> None:
    """The bell names the leader at distance minus one lap; clashing surnames stay full."""
    bells = [line for line in lines if line.kind == "bell"]
    assert [(b.text, b.race_ms, b.emphasis) for b in bells] == [
        ("The bell! Timothy Cheruiyot leads", 164000, True)
    ]


def test_an_incident_says_how_far_there_is_still_to_run(lines: list[NarrativeLine]) -> None:
    """Kerr's calf goes at 900 m of 1500: 600 m to go."""
    assert texts(lines, "incident") == ["Kerr is in trouble, 600 m to go (injury: calf)"]


def test_the_finish_calls_the_winner_the_podium_and_the_injured_athlete_home(
    lines: list[NarrativeLine],
) -> None:
    """First, second and third are called; the rest only if they were in trouble."""
    assert texts(lines, "finish") == [
        "Nader is first across the line in 3:34.10!",
        "Wightman second in 3:34.12",
        "Reynold Cheruiyot third in 3:34.25",
        "Kerr gets to the line in 4:11.23, 7th",
    ]


def test_the_photo_finish_is_requested_then_decided_in_thousandths(
    lines: list[NarrativeLine],
) -> None:
    assert texts(lines, "photo") == [
        "Photo finish! Nader and Wightman too close to call.",
        "Photo decides it: Nader 3:34.094 ahead of Wightman 3:34.117",
    ]


def test_result_status_protest_and_disqualification_are_posted_in_order(
    lines: list[NarrativeLine],
) -> None:
    """Unofficial podium, the protest, the DQ with its rule, then the official winner."""
    after = [
        (line.kind, line.text) for line in lines if line.kind not in ("lead", "bell", "finish")
    ]
    assert after[-6:] == [
        ("status", "UNOFFICIAL result: Nader 3:34.10, Wightman 3:34.12, Reynold Cheruiyot 3:34.25"),
        ("protest", "Protest from NED against Kowalski: jostling"),
        ("status", "PROTESTED: the result is under review"),
        ("disqualification", "Kowalski disqualified (TR17.1.2): jostling"),
        ("protest", "NED protest upheld"),
        ("status", "OFFICIAL: Nader wins in 3:34.10"),
    ]


def test_the_streams_own_commentary_is_posted_verbatim(lines: list[NarrativeLine]) -> None:
    commentary = [line for line in lines if line.kind == "commentary"]
    assert [(c.text, c.race_ms, c.emphasis) for c in commentary] == [
        ("A slow first lap: nobody wants to lead.", 62000, False)
    ]


def test_lines_carry_the_seq_and_clock_of_the_event_that_prompted_them() -> None:
    events = build_race()
    projection = Projection()
    narrator = Narrator()
    for event in events:
        projection.apply(event)
        for line in narrator.apply(event, projection):
            assert (line.seq, line.race, line.race_ms) == (event.seq, event.race, event.race_ms)
    assert len(narrator.lines) > 20


def test_the_same_events_always_give_the_same_lines() -> None:
    """Narration is a pure fold: two runs over the same stream agree line for line."""
    assert narrate(build_race()) == narrate(build_race())


def test_corrections_say_what_changed() -> None:
    """An amended time says the old time and the new place; a reinstatement is posted."""
    after = [
        *_AFTER[:2],
        (300000, _bind(AthleteDisqualified, AthleteDisqualifiedData(athlete_id="nader-isaac",
                                                                    rule="TR17.2.3"))),
        (301000, _bind(AthleteReinstated, AthleteReinstatedData(athlete_id="nader-isaac",
                                                                supersedes=0,
                                                                reason="appeal upheld"))),
        (302000, _bind(ResultAmended, ResultAmendedData(athlete_id="nader-isaac",
                                                        elapsed_ms=214131, supersedes=0,
                                                        reason="photo re-read"))),
        (400000, _bind(ResultStatusChanged, ResultStatusChangedData(status="official"))),
    ]  # fmt: skip
    lines = narrate(build_race(after=after))
    assert texts(lines)[-4:] == [
        "Nader disqualified (TR17.2.3)",
        "Nader reinstated: appeal upheld",
        "Correction: Nader 3:34.14 (was 3:34.10), now 2nd: photo re-read",
        "OFFICIAL: Wightman wins in 3:34.12",
    ]


def test_a_narrator_resumed_from_a_projection_does_not_repeat_the_past() -> None:
    """After a reset at the bell, the bell and earlier laps are not called again."""
    events = build_race()
    at_bell = next(e for e in events if isinstance(e, SplitRecorded) and e.data.distance_m == 1100)
    projection = project(events, until_seq=at_bell.seq)
    narrator = Narrator.from_projection(projection)
    for event in events[at_bell.seq :]:
        projection.apply(event)
        narrator.apply(event, projection)
    kinds = [line.kind for line in narrator.lines]
    assert "bell" not in kinds
    assert texts(narrator.lines, "lead") == [
        "Timothy Cheruiyot leads at 1200 m in 2:57.90",
        "Wightman hits the front, 200 m to go",
    ]
    assert texts(narrator.lines, "finish")[0] == "Nader is first across the line in 3:34.10!"


def test_a_race_is_named_as_commentators_say_it() -> None:
    info = RaceInfo(
        championship="c", event="Women's 5000 metres", round="Heat 2", venue="v",
        scheduled_start="2025-09-17T22:20:00+09:00", distance_m=5000,
    )  # fmt: skip
    assert race_phrase(info) == "women's 5000 m heat 2"


def test_surnames_are_used_unless_two_athletes_share_one() -> None:
    names = {"a": "Timothy Cheruiyot", "b": "Reynold Cheruiyot", "c": "Isaac Nader", "d": "Ben"}
    assert spoken_names(names) == {
        "a": "Timothy Cheruiyot",
        "b": "Reynold Cheruiyot",
        "c": "Nader",
        "d": "Ben",
    }


def test_nobody_wins_before_the_photo_is_resolved_or_the_result_is_official() -> None:
    """In every built-in scenario, 'wins' is only said of an official result."""
    for entry in catalog():
        if entry.kind == "invalid":
            continue
        projection = Projection()
        narrator = Narrator()
        for event in load_scenario(entry.id).events:
            projection.apply(event)
            for line in narrator.apply(event, projection):
                if line.kind != "commentary" and " win" in line.text:
                    standings = projection.standings(line.race)
                    assert standings.status == "official", (entry.id, line.text)
                    assert standings.photo_finish != "under_review", (entry.id, line.text)


def test_the_first_finisher_is_first_across_the_line_before_the_photo(
    lines: list[NarrativeLine],
) -> None:
    """The finish comes before the photo request: it must not call a winner."""
    first = next(line for line in lines if line.kind == "finish")
    photo = next(line for line in lines if line.kind == "photo")
    assert first.seq < photo.seq
    assert first.text == "Nader is first across the line in 3:34.10!"


def test_a_result_with_the_photo_still_under_review_says_so() -> None:
    """Unofficial while the photo is pending: no podium, no winner."""
    after = [*_AFTER[:1], (260000, _AFTER[2][1])]
    lines = narrate(build_race(after=after))
    assert texts(lines, "status")[-1] == (
        "UNOFFICIAL result, with the photo finish still under review"
    )


def test_lines_carry_their_clock_written_and_key_moments_are_pinned(
    lines: list[NarrativeLine],
) -> None:
    """Gun, incident, bell, photo and result lines are pinned; laps and commentary are not."""
    assert all(line.clock == format_clock(line.race_ms) for line in lines)
    pinned = [(line.kind, line.text.split()[0]) for line in lines if line.pinned]
    assert pinned == [
        ("start", "The"), ("incident", "Kerr"), ("bell", "The"), ("photo", "Photo"),
        ("photo", "Photo"), ("status", "UNOFFICIAL"), ("status", "PROTESTED:"),
        ("disqualification", "Kowalski"), ("status", "OFFICIAL:"),
    ]  # fmt: skip


def test_the_commentary_window_keeps_every_pinned_line_and_the_latest_others(
    lines: list[NarrativeLine],
) -> None:
    last = lines[-1].seq
    window = commentary_window(lines, last, latest=5)
    older_pinned = [line for line in lines[:-5] if line.pinned]
    assert window == [*older_pinned, *lines[-5:]]
    assert commentary_window(lines, 0) == []
    early = commentary_window(lines, 3, latest=30)
    assert all(line.seq <= 3 for line in early)
