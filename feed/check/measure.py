"""Precision over a corpus: errors found, false alarms, and how often the checker abstains.

A corpus holds accurate texts about the feed's races and copies of them with
planted errors (each a replacement of one exact passage, with its kind). The
figures:

- **found / planted**: a planted error is found when a contradicted claim
  overlaps the passage that was replaced;
- **false alarms**: contradicted claims in the accurate texts, and contradicted
  claims in the copies away from every planted passage (the target is 0);
- **abstained**: factual sentences of the accurate texts on which no claim got a
  verdict (supported or contradicted); also counted apart for the sentences whose
  facts the feed does hold and for those it does not (``beyond``).

The corpus is read from files by ``feed.io.corpus``; this module only measures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import msgspec

from feed.check.check import Checker
from feed.check.model import Judged, Report
from feed.check.text import split_entries, split_sentences
from feed.events import Event

__all__ = ["CorpusDoc", "DocFigures", "Figures", "KindFigures", "Planted", "measure", "plant"]


class Planted(msgspec.Struct, frozen=True, kw_only=True):
    """One planted error: what replaced what, where it now is, and its kind."""

    kind: str
    find: str
    replace: str
    start: int = 0
    end: int = 0


class CorpusDoc(msgspec.Struct, frozen=True, kw_only=True):
    """One text of the corpus.

    Attributes:
        name: the file's stem.
        against: the scenario it is checked against.
        kind: ``report`` or ``live-blog``.
        text: the text (for a copy, with its errors planted).
        planted: the planted errors (empty for an accurate text).
        opinion: passages of sentences that state no fact (quotes, opinions).
        beyond: passages of factual sentences whose facts the feed does not hold.
        wall_offset_min: the zone of its unzoned wall-time stamps; None: the venue's.
    """

    name: str
    against: str
    kind: str
    text: str
    planted: list[Planted] = []
    opinion: list[str] = []
    beyond: list[str] = []
    wall_offset_min: int | None = None


class KindFigures(msgspec.Struct, frozen=True, kw_only=True):
    """Planted and found, for one kind of error."""

    kind: str
    planted: int
    found: int


class DocFigures(msgspec.Struct, frozen=True, kw_only=True):
    """The figures of one document."""

    name: str
    against: str
    accurate: bool
    claims: int
    supported: int
    contradicted: int
    not_checkable: int
    false_alarms: int
    planted: int
    found: int
    sentences: int
    abstained: int


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """Everything measured over a corpus (see the module docstring)."""

    accurate_texts: int
    copies: int
    planted: int
    found: int
    false_alarms_accurate: int
    false_alarms_copies: int
    claims_accurate: int
    supported_accurate: int
    not_checkable_accurate: int
    sentences: int
    abstained: int
    feed_sentences: int
    feed_abstained: int
    beyond_sentences: int
    beyond_contradicted: int
    by_kind: list[KindFigures]
    missed: list[str]
    alarms: list[str]
    documents: list[DocFigures]

    @property
    def found_share(self) -> float:
        """Planted errors found, as a share of those planted."""
        return self.found / self.planted if self.planted else 1.0

    @property
    def abstain_share(self) -> float:
        """Factual sentences of the accurate texts with no verdict, as a share."""
        return self.abstained / self.sentences if self.sentences else 0.0

    @property
    def feed_abstain_share(self) -> float:
        """The same, over the sentences whose facts the feed holds."""
        return self.feed_abstained / self.feed_sentences if self.feed_sentences else 0.0


def plant(base: str, replacements: Sequence[Planted]) -> tuple[str, list[Planted]]:
    """Apply replacements to ``base``; each ``find`` must occur exactly once in it.

    Returns:
        The new text, and each replacement with the offsets it now has there.

    Raises:
        ValueError: naming the replacement (by index) whose passage is missing or repeated.
    """
    located: list[tuple[int, int, Planted]] = []
    for index, item in enumerate(replacements):
        count = base.count(item.find)
        if count != 1:
            where = "does not occur" if count == 0 else f"occurs {count} times"
            raise ValueError(
                f"planted[{index}].find {item.find!r} {where} in the text it is based on"
            )
        located.append((base.index(item.find), index, item))
    located.sort()
    out: list[str] = []
    placed: list[Planted] = []
    cursor = 0
    shift = 0
    for at, _, item in located:
        if at < cursor:
            raise ValueError(f"planted passage {item.find!r} overlaps another one")
        out.append(base[cursor:at])
        start = at + shift
        out.append(item.replace)
        placed.append(msgspec.structs.replace(item, start=start, end=start + len(item.replace)))
        shift += len(item.replace) - len(item.find)
        cursor = at + len(item.find)
    out.append(base[cursor:])
    return "".join(out), placed


def measure(
    docs: Sequence[CorpusDoc],
    events_of: Mapping[str, Sequence[Event]],
    *,
    progress: Callable[[str], None] | None = None,
) -> Figures:
    """Check every document against its scenario's events and add up the figures."""
    checkers = {name: Checker(events, source=name) for name, events in events_of.items()}
    doc_figures: list[DocFigures] = []
    kinds: dict[str, list[int]] = {}
    missed: list[str] = []
    alarms: list[str] = []
    totals = dict.fromkeys(("feed_sentences", "feed_abstained", "beyond", "beyond_bad"), 0)
    for doc in docs:
        if progress is not None:
            progress(doc.name)
        report = checkers[doc.against].check(doc.text, wall_offset_min=doc.wall_offset_min)
        accurate = not doc.planted
        contradicted = [j for j in report.claims if j.verdict.verdict == "contradicted"]
        found = 0
        for item in doc.planted:
            hit = any(j.claim.start < item.end and item.start < j.claim.end for j in contradicted)
            found += hit
            counts = kinds.setdefault(item.kind, [0, 0])
            counts[0] += 1
            counts[1] += hit
            if not hit:
                missed.append(f"{doc.name}: {item.kind}: {item.replace!r}")
        stray = [
            j
            for j in contradicted
            if not any(j.claim.start < p.end and p.start < j.claim.end for p in doc.planted)
        ]
        alarms += [f"{doc.name}: {j.claim.text!r}: {j.verdict.feed_says}" for j in stray]
        sentences, abstained = 0, 0
        if accurate:
            sentences, abstained = _sentences(doc, report, totals)
        doc_figures.append(
            DocFigures(
                name=doc.name,
                against=doc.against,
                accurate=accurate,
                claims=len(report.claims),
                supported=report.supported,
                contradicted=report.contradicted,
                not_checkable=report.not_checkable,
                false_alarms=len(stray),
                planted=len(doc.planted),
                found=found,
                sentences=sentences,
                abstained=abstained,
            )
        )
    accurate_docs = [d for d in doc_figures if d.accurate]
    copies = [d for d in doc_figures if not d.accurate]
    return Figures(
        accurate_texts=len(accurate_docs),
        copies=len(copies),
        planted=sum(d.planted for d in copies),
        found=sum(d.found for d in copies),
        false_alarms_accurate=sum(d.false_alarms for d in accurate_docs),
        false_alarms_copies=sum(d.false_alarms for d in copies),
        claims_accurate=sum(d.claims for d in accurate_docs),
        supported_accurate=sum(d.supported for d in accurate_docs),
        not_checkable_accurate=sum(d.not_checkable for d in accurate_docs),
        sentences=sum(d.sentences for d in accurate_docs),
        abstained=sum(d.abstained for d in accurate_docs),
        feed_sentences=totals["feed_sentences"],
        feed_abstained=totals["feed_abstained"],
        beyond_sentences=totals["beyond"],
        beyond_contradicted=totals["beyond_bad"],
        by_kind=[
            KindFigures(kind=kind, planted=counts[0], found=counts[1])
            for kind, counts in sorted(kinds.items())
        ],
        missed=missed,
        alarms=alarms,
        documents=doc_figures,
    )


def _sentences(doc: CorpusDoc, report: Report, totals: dict[str, int]) -> tuple[int, int]:
    """(factual sentences, abstained) of an accurate text; adds the split to ``totals``."""
    text = doc.text
    sentences = abstained = 0
    for entry in split_entries(text):
        for start, end in split_sentences(text, entry.start, entry.end):
            sentence = text[start:end]
            if any(passage in sentence for passage in doc.opinion):
                continue
            inside = [j for j in report.claims if start <= j.claim.start < end]
            judged = any(j.verdict.verdict != "not_checkable" for j in inside)
            beyond = any(passage in sentence for passage in doc.beyond)
            sentences += 1
            abstained += not judged
            if beyond:
                totals["beyond"] += 1
                totals["beyond_bad"] += any(_is_contradicted(j) for j in inside)
            else:
                totals["feed_sentences"] += 1
                totals["feed_abstained"] += not judged
    return sentences, abstained


def _is_contradicted(judged: Judged) -> bool:
    return judged.verdict.verdict == "contradicted"
