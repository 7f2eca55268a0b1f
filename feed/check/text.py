"""Text plumbing: folding for matching, entries of a live blog, sentences, with offsets kept.

Every span is a pair of character offsets into the text as given, so a claim can
be highlighted where it was written. ``fold`` maps each character to one
character (lower case, accents dropped), so offsets in the folded text are
offsets in the original.
"""

from __future__ import annotations

import re
import unicodedata

from feed.check.stamps import Stamp, parse_stamp

__all__ = ["Entry", "fold", "split_entries", "split_sentences"]

# A full stop after these is not the end of a sentence.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "no", "approx", "ca", "jr", "sr"})
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])|[.!?]+[\"'”’)\]]*\s*$")


def fold(text: str) -> str:
    """Lower case without accents, one character for one character (offsets stay valid)."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)[0] if ord(char) > 127 else char
        lower = base.lower()
        out.append(lower if len(lower) == 1 else base)
    return "".join(out)


class Entry:
    """One entry of a text: a stamped live-blog post, or an unstamped paragraph.

    Attributes:
        start: offset of the entry's body (after its stamp).
        end: offset just past its last character.
        stamp: the entry's time stamp, or None.
    """

    __slots__ = ("end", "stamp", "start")

    def __init__(self, start: int, end: int, stamp: Stamp | None) -> None:
        self.start = start
        self.end = end
        self.stamp = stamp

    def __repr__(self) -> str:
        return f"Entry({self.start}, {self.end}, {self.stamp!r})"


def split_entries(text: str) -> list[Entry]:
    """Entries: a line that starts with a stamp opens one; a blank line or a heading closes one.

    Lines in between continue the current entry (a paragraph wrapped over lines).
    """
    entries: list[Entry] = []
    current: Entry | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        start, body = offset, line.rstrip("\r\n")
        offset += len(line)
        if not body.strip():
            current = None
            continue
        stamp, skip = parse_stamp(body)
        heading = body.lstrip().startswith("#")
        if stamp is not None or heading or current is None:
            current = Entry(start + skip, start + len(body), stamp)
            entries.append(current)
            if heading:
                current = None
            continue
        current.end = start + len(body)
    return entries


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as (start, end) offsets, stripped of spaces."""
    spans: list[tuple[int, int]] = []
    cursor = start
    chunk = text[start:end]
    for match in _SENTENCE_END.finditer(chunk):
        stop = start + match.end()
        if _is_abbreviation(text, start + match.start()):
            continue
        spans.append((cursor, stop))
        cursor = stop
    if cursor < end:
        spans.append((cursor, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span)) is not None]


def _is_abbreviation(text: str, dot: int) -> bool:
    """A full stop after an initial ("T. Cheruiyot") or a known abbreviation."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:dot]
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    if text[start] == "#":  # a markdown heading is read as its words
        while start < end and text[start] in "# ":
            start += 1
    return (start, end) if start < end else None
