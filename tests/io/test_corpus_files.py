"""A corpus file that cannot be used is reported with the file, the field and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.errors import DocumentError
from feed.io.corpus import load_corpus

ACCURATE = 'against = "tokyo-2025-m1500-final"\nkind = "report"\ntext = "Nader won in 3:34.10."\n'


def corpus(tmp_path: Path, **files: str) -> Path:
    for name, body in files.items():
        (tmp_path / f"{name}.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_a_copy_is_its_accurate_text_with_the_replacements_where_they_land(tmp_path: Path) -> None:
    """The planted error's offsets point at the replacement in the new text."""
    copy = ACCURATE.replace('text = "Nader won in 3:34.10."\n', "") + (
        'based_on = "good"\n[[planted]]\nkind = "time"\nfind = "3:34.10"\nreplace = "3:34.20"\n'
    )
    docs, events = load_corpus(corpus(tmp_path, good=ACCURATE, bad=copy))
    planted = next(d for d in docs if d.planted)
    [error] = planted.planted
    assert planted.text == "Nader won in 3:34.20."
    assert planted.text[error.start : error.end] == "3:34.20"
    assert set(events) == {"tokyo-2025-m1500-final"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('against = "tokyo-2025-m1500-final"\nkind = "report"\n', "give either text"),
        (ACCURATE.replace('"report"', '"poem"'), "kind"),
        (ACCURATE + "colour = 1\n", "colour"),
        (ACCURATE + 'wall_offset = "9"\n', "expected an offset like +09:00"),
        ("against = [\n", "not valid TOML"),
        (ACCURATE.replace("tokyo-2025-m1500-final", "no-such-race"), "unknown scenario"),
    ],
)
def test_a_bad_document_names_the_file_and_what_was_expected(
    tmp_path: Path, body: str, message: str
) -> None:
    """Every problem is one DocumentError: file, field where there is one, the expectation."""
    with pytest.raises(DocumentError) as failure:
        load_corpus(corpus(tmp_path, doc=body))
    assert str(tmp_path / "doc.toml") in str(failure.value)
    assert message in str(failure.value)


def test_a_planted_passage_that_is_missing_or_repeated_is_reported(tmp_path: Path) -> None:
    """ "find" must occur exactly once in the accurate text."""
    copy = (
        'against = "tokyo-2025-m1500-final"\nkind = "report"\nbased_on = "good"\n'
        '[[planted]]\nkind = "time"\nfind = "3:99"\nreplace = "x"\n'
    )
    with pytest.raises(DocumentError, match=r"planted\[0\]\.find '3:99' does not occur"):
        load_corpus(corpus(tmp_path, good=ACCURATE, bad=copy))


def test_a_directory_without_documents_is_reported(tmp_path: Path) -> None:
    """An empty directory, or a path that is no directory, is an error."""
    with pytest.raises(DocumentError, match=r"no \.toml corpus documents"):
        load_corpus(tmp_path)
    with pytest.raises(DocumentError, match="expected a directory"):
        load_corpus(tmp_path / "missing")
