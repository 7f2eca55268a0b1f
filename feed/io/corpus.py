"""Read a checker corpus: accurate texts and copies with planted errors, one TOML file each.

An accurate text::

    against = "tokyo-2025-m1500-final"     # a catalog id, or a path beside the file
    kind = "report"                         # or "live-blog"
    text = \"\"\"...\"\"\"
    opinion = ["I thought I had it"]        # passages of sentences that state no fact
    beyond = ["defending champion"]         # passages of sentences beyond the feed's facts
    wall_offset = "+09:00"                  # zone of unzoned wall stamps (default: the venue's)

A copy with planted errors names its accurate text and the replacements::

    based_on = "tokyo-2025-report"
    [[planted]]
    kind = "time"
    find = "in 3:34.10"
    replace = "in 3:34.20"

Every problem is reported as ``file:line: field: message``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

import msgspec

from feed.check.measure import CorpusDoc, Planted, plant
from feed.errors import DocumentError, RacefeedError
from feed.events import Event
from feed.io.loading import load_scenario

__all__ = ["load_corpus"]


class _RawPlanted(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    find: str
    replace: str


class _RawDoc(msgspec.Struct, forbid_unknown_fields=True):
    against: str
    kind: Literal["report", "live-blog"]
    text: str | None = None
    based_on: str | None = None
    opinion: list[str] = []
    beyond: list[str] = []
    wall_offset: str | None = None
    planted: list[_RawPlanted] = []


def load_corpus(directory: str | Path) -> tuple[list[CorpusDoc], dict[str, list[Event]]]:
    """Every document of the corpus in ``directory``, and the events of each scenario named.

    Raises:
        DocumentError: a file that cannot be read or is not a corpus document.
        RacefeedError: a scenario it names cannot be loaded.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise DocumentError(str(folder), "expected a directory of corpus .toml files")
    raw = {path.stem: (path, _read(path)) for path in sorted(folder.glob("*.toml"))}
    if not raw:
        raise DocumentError(str(folder), "no .toml corpus documents in this directory")
    docs = [_doc(name, path, item, raw) for name, (path, item) in raw.items()]
    events: dict[str, list[Event]] = {}
    for doc in docs:
        if doc.against not in events:
            beside = folder / doc.against
            try:
                loaded = load_scenario(str(beside) if beside.is_file() else doc.against)
            except RacefeedError as exc:
                raise DocumentError(str(raw[doc.name][0]), str(exc), field="against") from None
            events[doc.against] = loaded.events
    return docs, events


def _read(path: Path) -> _RawDoc:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DocumentError(str(path), "expected UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise DocumentError(
            str(path), f"not valid TOML: {exc}", line=int(line[1]) if line else None
        ) from None
    try:
        doc = msgspec.convert(data, _RawDoc)
    except msgspec.ValidationError as exc:
        field = re.search(r"at `\$\.?([^`]*)`", str(exc))
        message = str(exc).split(" - at ")[0]
        raise DocumentError(str(path), message, field=field[1] if field else None) from None
    if (doc.text is None) == (doc.based_on is None):
        raise DocumentError(str(path), "give either text (an accurate text) or based_on (a copy)")
    if doc.based_on is not None and not doc.planted:
        raise DocumentError(
            str(path), "a copy needs at least one [[planted]] error", field="planted"
        )
    return doc


def _doc(name: str, path: Path, item: _RawDoc, raw: dict[str, tuple[Path, _RawDoc]]) -> CorpusDoc:
    offset = _offset(path, item.wall_offset)
    if item.text is not None:
        return CorpusDoc(
            name=name,
            against=item.against,
            kind=item.kind,
            text=item.text,
            opinion=item.opinion,
            beyond=item.beyond,
            wall_offset_min=offset,
        )
    base = raw.get(item.based_on or "")
    if base is None or base[1].text is None:
        raise DocumentError(str(path), f"no accurate text named {item.based_on!r} in the corpus",
                            field="based_on")  # fmt: skip
    wanted = [Planted(kind=p.kind, find=p.find, replace=p.replace) for p in item.planted]
    try:
        text, planted = plant(base[1].text, wanted)
    except ValueError as exc:
        raise DocumentError(str(path), str(exc), field="planted") from None
    return CorpusDoc(
        name=name,
        against=item.against,
        kind=item.kind,
        text=text,
        planted=planted,
        wall_offset_min=offset if offset is not None else _offset(path, base[1].wall_offset),
    )


def _offset(path: Path, text: str | None) -> int | None:
    if text is None:
        return None
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", text)
    if match is None:
        raise DocumentError(str(path), f"expected an offset like +09:00, got {text!r}",
                            field="wall_offset")  # fmt: skip
    sign = -1 if match[1] == "-" else 1
    return sign * (int(match[2]) * 60 + int(match[3]))
