"""The catalog: scenario directories, lookup by id or path, broken files listed, not fatal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import feed
from feed.errors import UnknownScenario
from feed.io import catalog, load_scenario, scenario_dirs

MINI = Path(__file__).parents[1] / "scenario" / "fixtures" / "mini-final.toml"


@pytest.fixture
def own_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario directory searched before the built-in ones."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini-final.toml")
    monkeypatch.setenv("RACEFEED_SCENARIOS", str(folder))
    return folder


def test_the_env_directories_come_before_the_built_in_ones(own_dir: Path) -> None:
    """RACEFEED_SCENARIOS first, then the repository's scenarios/ in a checkout."""
    dirs = scenario_dirs()
    assert dirs[0] == own_dir
    assert dirs[-1] == Path(feed.__file__).resolve().parent.parent / "scenarios"


def test_several_env_directories_are_separated_by_the_path_separator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each entry of the variable is a directory, in order."""
    import os

    monkeypatch.setenv(
        "RACEFEED_SCENARIOS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    )
    assert scenario_dirs()[:2] == [tmp_path / "a", tmp_path / "b"]


def test_a_scenario_is_found_by_catalog_id(own_dir: Path) -> None:
    """An id names the file <id>.toml in a scenario directory."""
    loaded = load_scenario("mini-final")
    assert loaded.path == str(own_dir / "mini-final.toml")
    assert (loaded.id, loaded.kind, loaded.races) == ("mini-final", "race", ["mini-final"])
    assert loaded.events[0].seq == 1


def test_a_scenario_is_found_by_path(tmp_path: Path) -> None:
    """A path to a file is loaded as it is, wherever it lives."""
    target = tmp_path / "mini-final.toml"
    shutil.copy(MINI, target)
    assert load_scenario(str(target)).title.startswith("Mini final")


def test_an_unknown_name_lists_the_known_ids(own_dir: Path) -> None:
    """Neither a file nor an id: the error says what is known."""
    with pytest.raises(UnknownScenario) as caught:
        load_scenario("no-such-race")
    assert "mini-final" in caught.value.known
    assert "no-such-race" in str(caught.value)


def test_the_catalog_lists_every_scenario_sorted_by_id(own_dir: Path) -> None:
    """Entries carry id, title, kind, path and description, sorted by id."""
    (own_dir / "aaa-first.toml").write_text(MINI.read_text().replace('"mini-final"', '"aaa-first"'))
    entries = catalog()
    ids = [entry.id for entry in entries]
    assert ids == sorted(ids)
    mini = next(entry for entry in entries if entry.id == "mini-final")
    assert (mini.kind, mini.path, mini.description) == (
        "race",
        str(own_dir / "mini-final.toml"),
        "A made-up race for tests.",
    )
    assert "aaa-first" in ids


def test_a_broken_file_is_listed_with_its_error(own_dir: Path) -> None:
    """One bad file does not break the listing; it shows as invalid with the first problem."""
    (own_dir / "broken.toml").write_text("[scenario\n")
    entries = {entry.id: entry for entry in catalog()}
    broken = entries["broken"]
    assert broken.kind == "invalid"
    assert broken.error is not None and "broken.toml:1: invalid TOML" in broken.error
    assert broken.title.startswith("invalid: ")
    assert entries["mini-final"].kind == "race"


def test_the_first_directory_with_an_id_wins(
    own_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario in an earlier directory shadows one with the same id in a later one."""
    later = tmp_path / "later"
    later.mkdir()
    (later / "mini-final.toml").write_text("not even toml [")
    monkeypatch.setenv("RACEFEED_SCENARIOS", f"{own_dir}{__import__('os').pathsep}{later}")
    assert load_scenario("mini-final").path == str(own_dir / "mini-final.toml")
