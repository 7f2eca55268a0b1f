"""The locator maps field paths to the lines of the TOML text they came from."""

from __future__ import annotations

from feed.scenario import Locator, format_path, parse_path

TEXT = """\
# a comment
[scenario]
id = "x"
notes = \"\"\"
[[athletes]]
bib = 99
\"\"\"

[[athletes]]
bib = 1
splits = { 400 = "1:00.0", 800 = "2:00.0" }
dnf.at_m = 700

[athletes.dns]
reason = "ill"

[[athletes]]
"bib" = 2
races = [
  "a",  # first
  "b",
]

[[race.records]]
kind = "CR"
"""


def test_paths_round_trip_between_text_and_parts() -> None:
    """athletes[3].splits.800 is ("athletes", 3, "splits", "800") and back."""
    parts = parse_path("athletes[3].splits.800")
    assert parts == ("athletes", 3, "splits", "800")
    assert format_path(parts) == "athletes[3].splits.800"


def test_array_of_tables_headers_are_counted_from_zero() -> None:
    """The n-th [[athletes]] is athletes[n-1]; a multi-line string does not count as one."""
    locator = Locator(TEXT)
    assert locator.line("athletes[0]") == 9
    assert locator.line("athletes[1]") == 17
    assert locator.line("athletes") == 9


def test_keys_inline_tables_and_dotted_keys_map_to_their_key_line() -> None:
    """A key inside an inline table is found at the line of the table's key."""
    locator = Locator(TEXT)
    assert locator.line("athletes[0].bib") == 10
    assert locator.line("athletes[0].splits.800") == 11
    assert locator.line("athletes[0].dnf.at_m") == 12
    assert locator.line("athletes[1].bib") == 18


def test_a_sub_table_belongs_to_the_latest_array_element() -> None:
    """[athletes.dns] after the first [[athletes]] is athletes[0].dns."""
    locator = Locator(TEXT)
    assert locator.line("athletes[0].dns.reason") == 15


def test_elements_of_a_multi_line_array_have_their_own_lines() -> None:
    """races[1] is the line where the second element starts."""
    locator = Locator(TEXT)
    assert locator.line("athletes[1].races[0]") == 20
    assert locator.line("athletes[1].races[1]") == 21


def test_a_missing_field_maps_to_its_nearest_written_table() -> None:
    """A field that is not written is found at its table's header; nothing at all is None."""
    locator = Locator(TEXT)
    assert locator.line("athletes[1].name") == 17
    assert locator.line("race.records[0].time") == 24
    assert locator.line("commentary[0].at") is None
