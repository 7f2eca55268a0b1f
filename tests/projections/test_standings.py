"""Standings: official times, places at 1/1000, marks after finishers, corrections."""

from __future__ import annotations

from feed.projections import Projection, StandingRow, Standings, project
from tests.projections.builders import Stream, athlete


def _race(*entrants: tuple[int, str, str]) -> Stream:
    stream = Stream()
    stream.schedule([athlete(bib, athlete_id, nation) for bib, athlete_id, nation in entrants])
    return stream


def _five() -> Stream:
    return _race((1, "ann", "GBR"), (2, "bea", "KEN"), (3, "cat", "POR"), (4, "dot", "NED"),
                 (5, "eve", "ESP"))  # fmt: skip


def _table(standings: Standings) -> list[tuple[int | None, str, str | None, str | None]]:
    return [(r.place, r.athlete_id, r.time, r.mark) for r in standings.rows]


def _row(standings: Standings, athlete_id: str) -> StandingRow:
    return next(r for r in standings.rows if r.athlete_id == athlete_id)


def test_official_time_is_the_reading_rounded_up_to_the_next_hundredth() -> None:
    """3:34.101 is 3:34.11 officially; 3:34.100 stays 3:34.10; the reading is kept as time_ms."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.gun()
    stream.finishes({"ann": "3:34.100", "bea": "3:34.101"})
    standings = project(stream.events).standings()
    assert [(r.time, r.time_ms) for r in standings.rows] == [
        ("3:34.10", 214_100),
        ("3:34.11", 214_101),
    ]


def test_places_are_decided_at_the_thousandth_even_when_hundredths_are_equal() -> None:
    """3:34.101 and 3:34.109 both read 3:34.11, yet the faster reading is placed first."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.gun()
    stream.finishes({"bea": "3:34.101", "ann": "3:34.109"})
    assert _table(project(stream.events).standings()) == [
        (1, "bea", "3:34.11", None),
        (2, "ann", "3:34.11", None),
    ]


def test_a_dead_heat_for_bronze_shares_third_and_the_next_place_is_fifth() -> None:
    """Equal at 1/1000, two athletes share 3rd; nobody is 4th; they are listed by bib."""
    stream = _five()
    stream.gun()
    stream.finishes(
        {"ann": "3:30.000", "bea": "3:31.000", "dot": "3:32.500", "cat": "3:32.500", "eve": "3:33"}
    )
    assert [(r.place, r.athlete_id) for r in project(stream.events).standings().rows] == [
        (1, "ann"),
        (2, "bea"),
        (3, "cat"),
        (3, "dot"),
        (5, "eve"),
    ]


def test_dq_then_dnf_then_dns_are_listed_after_all_finishers_without_place_or_time() -> None:
    """Marks follow the finishers in the order DQ, DNF, DNS, and a DQ carries its rule."""
    stream = _five()
    stream.dns("ann")
    stream.gun()
    stream.dnf("bea", "1:40.0")
    stream.finishes({"eve": "3:40.0", "dot": "3:35.0", "cat": "3:36.0"})
    stream.disqualify("dot", "TR17.1.2")
    standings = project(stream.events).standings()
    assert _table(standings) == [
        (1, "cat", "3:36.00", None),
        (2, "eve", "3:40.00", None),
        (None, "dot", None, "DQ"),
        (None, "bea", None, "DNF"),
        (None, "ann", None, "DNS"),
    ]
    assert _row(standings, "dot").rule == "TR17.1.2"
    assert _row(standings, "dot").time_ms is None
    assert _row(standings, "bea").rule is None


def test_a_reinstated_athlete_gets_back_their_place_and_time() -> None:
    """A reinstatement that supersedes the disqualification restores the finisher."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.gun()
    stream.finishes({"ann": "3:30.0", "bea": "3:31.0"})
    dq = stream.disqualify("ann")
    assert _table(project(stream.events).standings())[0] == (1, "bea", "3:31.00", None)
    stream.reinstate("ann", supersedes=dq.seq)
    assert _table(project(stream.events).standings()) == [
        (1, "ann", "3:30.00", None),
        (2, "bea", "3:31.00", None),
    ]


def test_a_reinstatement_undoes_only_the_disqualification_it_supersedes() -> None:
    """Two disqualifications, one undone: the athlete stays DQ under the other rule."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.gun()
    stream.finishes({"ann": "3:30.0", "bea": "3:31.0"})
    first = stream.disqualify("ann", "TR17.1.2")
    stream.disqualify("ann", "TR16.8")
    stream.reinstate("ann", supersedes=first.seq)
    row = _row(project(stream.events).standings(), "ann")
    assert (row.mark, row.rule) == ("DQ", "TR16.8")


def test_an_amended_time_reorders_the_result() -> None:
    """An amendment replaces the athlete's time and places move with it."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.gun()
    first = stream.finish("ann", "3:30.000")
    stream.finish("bea", "3:31.000")
    stream.amend("ann", "3:31.500", supersedes=first.seq)
    assert _table(project(stream.events).standings()) == [
        (1, "bea", "3:31.00", None),
        (2, "ann", "3:31.50", None),
    ]


def test_the_photo_finish_reading_replaces_the_finish_reading() -> None:
    """Nader and Wightman: the photo finish reading decides place and time."""
    stream = _race((7, "nader", "POR"), (9, "wightman", "GBR"))
    stream.gun()
    stream.finish("wightman", "3:34.110")
    stream.finish("nader", "3:34.115")
    stream.photo_requested("nader", "wightman")
    stream.photo({"nader": "3:34.094", "wightman": "3:34.117"})
    assert _table(project(stream.events).standings()) == [
        (1, "nader", "3:34.10", None),
        (2, "wightman", "3:34.12", None),
    ]


def test_a_later_amendment_beats_an_earlier_photo_reading() -> None:
    """Whichever reading came last is the one in force."""
    stream = _race((1, "ann", "GBR"))
    stream.gun()
    stream.finish("ann", "3:30.000")
    photo = stream.photo({"ann": "3:30.004"})
    stream.amend("ann", "3:30.020", supersedes=photo.seq)
    assert _row(project(stream.events).standings(), "ann").time_ms == 210_020


def test_status_goes_start_list_live_unofficial_official_protested() -> None:
    """The status follows the gun and then every result_status_changed."""
    stream = _race((1, "ann", "GBR"))
    seen = [project(stream.events).standings().status]
    stream.gun()
    seen.append(project(stream.events).standings().status)
    stream.finish("ann", "3:30.0")
    for status in ("unofficial", "official", "protested", "official"):
        stream.status(status)  # type: ignore[arg-type]
        seen.append(project(stream.events).standings().status)
    assert seen == ["start_list", "live", "unofficial", "official", "protested", "official"]


def test_while_live_runners_follow_the_finishers_in_running_order_without_a_place() -> None:
    """Athletes still running are listed after finishers with no place, time or mark."""
    stream = _race((1, "ann", "GBR"), (2, "bea", "KEN"), (3, "cat", "POR"))
    stream.gun()
    stream.split("cat", 1400, "3:20.0")
    stream.split("bea", 1400, "3:19.0")
    stream.finish("ann", "3:30.0")
    standings = project(stream.events).standings()
    assert standings.status == "live"
    assert _table(standings) == [
        (1, "ann", "3:30.00", None),
        (None, "bea", None, None),
        (None, "cat", None, None),
    ]


def test_the_start_list_shows_everyone_by_bib_and_dns_last() -> None:
    """Before the gun every athlete is listed without place; a DNS already carries its mark."""
    stream = _race((3, "cat", "POR"), (1, "ann", "GBR"), (2, "bea", "KEN"))
    stream.dns("ann")
    standings = project(stream.events).standings()
    assert standings.status == "start_list"
    assert _table(standings) == [
        (None, "bea", None, None),
        (None, "cat", None, None),
        (None, "ann", None, "DNS"),
    ]


def test_standings_name_the_race_title_and_the_seq_they_stand_at() -> None:
    """Title is event and round; as_of_seq is the last seq applied."""
    stream = _race((1, "ann", "GBR"))
    stream.gun()
    projection = Projection()
    projection.apply_all(stream.events)
    standings = projection.standings("final")
    assert (standings.race, standings.title, standings.as_of_seq) == (
        "final",
        "Men's 1500 metres, Final",
        2,
    )
